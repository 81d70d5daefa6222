// connectMongo, loading mongoose only when it is called: the apps without a database of their own (gateway, inventory,
// cart, payments, psp, notifications, recommendations) never load it (`npm run bench -- idle`: ~13 MB each).
import type { ConnectOptions } from 'mongoose';
import type { Logger } from './logger.ts';
import type { Mongo } from './mongo.ts';

export type { Mongo };

/** See mongo.ts: connects with mongoose and fails fast when the server is not there. */
export async function connectMongo(uri: string, logger: Logger, options?: ConnectOptions): Promise<Mongo> {
  const mongo = await import('./mongo.ts');
  return mongo.connectMongo(uri, logger, options);
}
