// identity: sign-up, login (scrypt), PII encrypted at rest, EdDSA access tokens and their JWKS.
import { createService } from '@globalmart/platform';
import { identityConfig } from './config.ts';
import { identityRoutes } from './identity.routes.ts';
import { createIdentityService } from './identity.service.ts';
import { loadJwtSigningKey, loadPiiKeys } from './identity.keys.ts';
import { createJwtIssuer } from './jwt.issuer.ts';
import { createPiiProtector } from './pii.crypto.ts';
import { registrationOutbox } from './registration.outbox.ts';
import { userModel } from './user.model.ts';
import { mongoUserRepository } from './user.repository.ts';

const svc = await createService({ configShape: identityConfig, mongo: true });
const secret = (name: string) => svc.dapr.secrets.get(name);
const { encryptionKey, blindIndexKey } = await loadPiiKeys(secret);
const issuer = await createJwtIssuer(await loadJwtSigningKey(secret), { ttlSeconds: svc.config.JWT_TTL_SECONDS });
// Key ids only (never keys): which keys sign and encrypt now, and which older ones still verify and decrypt.
svc.logger.info(
  { jwt_kid: issuer.kid, jwt_kids: issuer.jwks.keys.map((k) => k.kid), pii_kid: encryptionKey.activeKid, pii_kids: encryptionKey.kids },
  'keyrings loaded',
);

const users = mongoUserRepository(userModel(svc.mongo.connection), createPiiProtector(encryptionKey, blindIndexKey));
await users.init();
const outbox = registrationOutbox(users, svc.dapr.publisher, svc.logger);
// A Dapr job: each sweep runs in one replica of identity, not in every process.
svc.jobs.every('identity-registration-outbox', svc.config.IDENTITY_OUTBOX_INTERVAL_MS, () => outbox.sweep());

const hashing = { concurrency: svc.config.IDENTITY_HASH_CONCURRENCY, queue: svc.config.IDENTITY_HASH_QUEUE };
svc.app.use(identityRoutes(createIdentityService({ users, issuer, outbox, logger: svc.logger, hashing }), issuer));
await svc.start();
