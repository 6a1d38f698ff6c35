// Names of the identity-administration handlers (rest/admin.ts), for the route table's type.
export type AdminHandlerName = 'createServiceAccount' | 'listServiceAccounts' | 'createServiceAccountKey' | 'getProjectIamPolicy' | 'setProjectIamPolicy';
