import { z } from 'zod';
import { IsoDateTime, PROBLEM_JSON, ProblemDetails } from './common.ts';
import { apiSchemas } from './registry.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

/** Who issues GlobalMart access tokens and who they are for; identity signs with them, the gateway checks them. */
export const JWT_ISSUER = 'globalmart-identity';
export const JWT_AUDIENCE = 'globalmart';
/** The one signature algorithm (Ed25519); verifiers pin it so `none` or an HMAC token is never accepted. */
export const JWT_ALGORITHM = 'EdDSA';

export const UserId = z.string().regex(/^usr_[0-9a-z]{16,32}$/, { error: 'must look like usr_ followed by 16-32 letters/digits' });
export type UserId = z.infer<typeof UserId>;

export const UserRole = z.enum(['customer', 'admin']);
export type UserRole = z.infer<typeof UserRole>;

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be a valid email address' }));

const CHARACTER_CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

/** Password policy: long enough, and not all letters of one case, all digits or all symbols. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 10) return 'must be at least 10 characters';
  if (CHARACTER_CLASSES.filter((re) => re.test(password)).length < 2) {
    return 'must mix at least two kinds of characters (lower case, upper case, digits, symbols)';
  }
  return undefined;
}

// The upper bound keeps request bodies small; scrypt cost does not grow with the length.
export const NewPassword = z
  .string()
  .max(256)
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const PersonName = z.string().trim().min(1).max(100);

export const SignupRequest = z
  .object({ email: Email, password: NewPassword, name: PersonName })
  .strict()
  .register(apiSchemas, { id: 'SignupRequest' });
export type SignupRequest = z.infer<typeof SignupRequest>;

export const SignupResponse = z.object({ user_id: UserId }).register(apiSchemas, { id: 'SignupResponse' });
export type SignupResponse = z.infer<typeof SignupResponse>;

// No strength rule at login: the policy may tighten later, and existing passwords must still log in.
export const LoginRequest = z
  .object({ email: Email, password: z.string().min(1).max(256) })
  .strict()
  .register(apiSchemas, { id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const TokenResponse = z
  .object({ access_token: z.string().min(1), token_type: z.literal('Bearer'), expires_in: z.int().min(1) })
  .register(apiSchemas, { id: 'TokenResponse' });
export type TokenResponse = z.infer<typeof TokenResponse>;

export const UserProfile = z
  .object({ user_id: UserId, email: z.string(), name: z.string(), role: UserRole, created_at: IsoDateTime })
  .register(apiSchemas, { id: 'UserProfile', description: 'Decrypted profile, shown only to its owner or an admin.' });
export type UserProfile = z.infer<typeof UserProfile>;

export const UserIdParams = z.object({ id: UserId });

/** What notifications needs to write to a customer; only the notifications app-id may ask (identity checks the Dapr caller). */
export const ContactDetails = z
  .object({ user_id: UserId, email: z.string(), name: z.string() })
  .register(apiSchemas, { id: 'ContactDetails', description: 'Decrypted contact details, for the notifications service only.' });
export type ContactDetails = z.infer<typeof ContactDetails>;

/** Public keys only (RFC 7517); loose so members a newer identity adds pass through. */
export const Jwk = z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string().optional(), use: z.string().optional() });
export const Jwks = z.object({ keys: z.array(Jwk) }).register(apiSchemas, { id: 'Jwks', description: 'JSON Web Key Set (public keys).' });
export type Jwks = z.infer<typeof Jwks>;

/** The claims identity puts in an access token (besides iss, aud, iat, exp, jti). */
export const AccessTokenClaims = z.object({ sub: UserId, role: UserRole });
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;

export const identityEventTypes = {
  CustomerRegistered: 'globalmart.customers.customer-registered.v1',
} as const;

// No PII in events: consumers that need the email ask identity for it.
export const CustomerRegistered = z.object({ customer_id: UserId, occurred_at: IsoDateTime });
export type CustomerRegistered = z.infer<typeof CustomerRegistered>;

/** Entries for events.ts's eventCatalog (topic written out: importing events.ts here would make a cycle). */
export const identityEvents = {
  [identityEventTypes.CustomerRegistered]: {
    name: 'CustomerRegistered',
    topic: 'customers',
    schema: CustomerRegistered,
    description: 'A customer signed up (event id `${customer_id}:registered`); notifications sends the welcome email.',
  },
} as const;

const problem = (description?: string): RouteResponse => ({
  schema: ProblemDetails,
  contentType: PROBLEM_JSON,
  ...(description ? { description } : {}),
});

// Password hashing is bounded: a flood is refused at once instead of queuing (identity.service.ts).
const busy = { 503: problem('AUTH.BUSY: too many logins and sign-ups at once (Retry-After)') };
const limited = { 429: problem('RATE_LIMITED: per client or per account (Retry-After, RateLimit headers)') };

export const identityRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/auth/signup',
    summary: 'Sign up as a customer',
    tags: ['gateway'],
    body: SignupRequest,
    responses: {
      201: { schema: SignupResponse },
      400: problem('Bad email, weak password or bad name'),
      409: problem('Email taken'),
      ...limited,
      ...busy,
    },
  },
  {
    method: 'POST',
    path: '/api/auth/login',
    summary: 'Log in: a short-lived EdDSA access token',
    tags: ['gateway'],
    body: LoginRequest,
    responses: {
      200: { schema: TokenResponse },
      400: problem(),
      401: problem('Unknown email or wrong password (same answer)'),
      ...limited,
      ...busy,
    },
  },
  {
    method: 'GET',
    path: '/api/me',
    summary: "The signed-in user's profile",
    tags: ['gateway'],
    security: 'customer',
    responses: { 200: { schema: UserProfile }, 401: problem() },
  },
  {
    method: 'POST',
    path: '/users',
    summary: 'Create a customer (identity, internal)',
    tags: ['identity'],
    body: SignupRequest,
    responses: { 201: { schema: SignupResponse }, 400: problem(), 409: problem('Email taken'), ...busy },
  },
  {
    method: 'POST',
    path: '/sessions',
    summary: 'Check credentials and issue an access token (identity, internal)',
    tags: ['identity'],
    body: LoginRequest,
    responses: { 200: { schema: TokenResponse }, 400: problem(), 401: problem(), ...busy },
  },
  {
    method: 'GET',
    path: '/users/{id}',
    summary: 'A user profile, for that user or an admin (identity, internal; others get 404)',
    tags: ['identity'],
    params: UserIdParams,
    responses: { 200: { schema: UserProfile }, 401: problem(), 404: problem() },
  },
  {
    method: 'GET',
    path: '/contacts/{id}',
    summary: 'Contact details of a user (identity, internal; only the notifications app may call it, others get 403)',
    tags: ['identity'],
    params: UserIdParams,
    responses: { 200: { schema: ContactDetails }, 403: problem(), 404: problem() },
  },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that verify access tokens (identity, internal)',
    tags: ['identity'],
    responses: { 200: { schema: Jwks } },
  },
];
