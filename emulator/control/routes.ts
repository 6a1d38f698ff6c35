// Control-plane routes (`control.<resource>.<op>`): Artifact Registry REST v1. Routes only.
import type { Handler } from '../http/context.js';
import { RouteTable } from '../http/route-table.js';

export interface ControlHandlers {
  createRepository: Handler;
  getRepository: Handler;
  listRepositories: Handler;
  deleteRepository: Handler;
  getOperation: Handler;
}

const LOCATION = '/v1/projects/{project}/locations/{location}';

export function controlRoutes(h: ControlHandlers): RouteTable {
  return new RouteTable([
    { name: 'control.repositories.list', method: 'GET', path: `${LOCATION}/repositories`, handler: h.listRepositories },
    { name: 'control.repositories.create', method: 'POST', path: `${LOCATION}/repositories`, handler: h.createRepository },
    { name: 'control.repositories.get', method: 'GET', path: `${LOCATION}/repositories/{repository}`, handler: h.getRepository },
    { name: 'control.repositories.delete', method: 'DELETE', path: `${LOCATION}/repositories/{repository}`, handler: h.deleteRepository },
    { name: 'control.operations.get', method: 'GET', path: `${LOCATION}/operations/{operation}`, handler: h.getOperation },
  ]);
}
