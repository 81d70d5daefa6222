// The PII protector lives in the kit (packages/platform/src/pii.ts), shared with orders; identity's modules and
// scripts/create-admin.ts keep importing it from here.
export { createPiiProtector, normalizeEmail, type PiiProtector } from '@globalmart/platform';
