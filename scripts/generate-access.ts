// Part of `npm run generate`: renders packages/contracts/src/access.ts into each app's Dapr Configuration
// (dapr-config/apps/) and the pub/sub and secret-store scopes (components/). tests/deploy/access.test.ts fails while
// the committed files differ from what this writes.
import { relative } from 'node:path';
import { repoRoot, writeAccessFiles } from '@globalmart/devstack';

for (const file of writeAccessFiles()) console.log(`wrote ${relative(repoRoot, file)}`);
