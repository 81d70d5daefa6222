import { z } from 'zod';

const port = (fallback?: number) => {
  // Only plain digit strings: z.coerce would also accept '', ' 80 ' and '0x50'. 0 = ephemeral (tests).
  const schema = z
    .string()
    .regex(/^\d+$/, { error: 'must be an integer port 0-65535' })
    .transform(Number)
    .pipe(z.int().min(0).max(65535, { error: 'must be an integer port 0-65535' }));
  return fallback === undefined ? schema : schema.default(fallback);
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Settings every service has; a service adds its own with `loadConfig({ MY_SETTING: z.string() })`. */
export const baseConfigShape = {
  APP_ID: z.string().min(1),
  APP_PORT: port(),
  APP_HOST: z.string().min(1).default('127.0.0.1'),
  DAPR_HOST: z.string().min(1).default('127.0.0.1'),
  DAPR_HTTP_PORT: port(3500),
  DAPR_GRPC_PORT: port(50001),
  DAPR_API_TOKEN: z.string().min(1).optional(),
  APP_API_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
};

export type BaseConfig = z.infer<z.ZodObject<typeof baseConfigShape>>;
export type ConfigShape = z.ZodRawShape;
type NoShape = Record<never, never>;
export type Config<S extends ConfigShape = NoShape> = BaseConfig & z.infer<z.ZodObject<S>>;

/** Thrown by loadConfig; its message names every missing or invalid variable on one line, never a value. */
export class ConfigError extends Error {
  readonly variables: string[];
  constructor(problems: { variable: string; problem: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

type Env = Record<string, string | undefined>;

/** Parses the environment once at start: base settings merged with the service's own shape. */
export function loadConfig<S extends ConfigShape = NoShape>(shape: S = {} as S, env: Env = process.env): Config<S> {
  // An empty variable (FOO= in a compose file) means "not set", so defaults and "missing" apply to it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = z.object({ ...baseConfigShape, ...shape }).safeParse(present);
  if (result.success) return result.data as Config<S>;
  const seen = new Set<string>();
  const problems: { variable: string; problem: string }[] = [];
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(env)');
    if (seen.has(variable)) continue;
    seen.add(variable);
    problems.push({ variable, problem: present[variable] === undefined ? 'is missing' : `is invalid (${issue.message})` });
  }
  throw new ConfigError(problems);
}
