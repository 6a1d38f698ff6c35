// How RPC names map onto ControlApi method names.
import { describe, expect, it } from 'vitest';
import { apiMethodNames } from './service.js';

describe('apiMethodNames', () => {
  it('lower-cases the first letter of the RPC name', () => {
    expect(apiMethodNames('CreateRepository')).toEqual(['createRepository']);
    expect(apiMethodNames('GetIamPolicy')).toEqual(['getIamPolicy']);
  });

  it('also offers the camelCase spelling of an upper-case acronym', () => {
    expect(apiMethodNames('GetVPCSCConfig')).toEqual(['getVPCSCConfig', 'getVpcscConfig']);
    expect(apiMethodNames('UpdateVPCSCConfig')).toEqual(['updateVPCSCConfig', 'updateVpcscConfig']);
  });
});
