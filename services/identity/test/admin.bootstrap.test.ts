import { describe, expect, it } from 'vitest';
import { UsageError, bootstrapAdmin, parseCreateAdminArgs } from '../src/admin.bootstrap.ts';
import { hashPassword, verifyPassword } from '../src/password.hasher.ts';
import { memoryUserRepository } from './memory-user.repository.ts';

const cheapHash = (pw: string) => hashPassword(pw, { ln: 10, r: 8, p: 1 });

describe('create-admin arguments', () => {
  it('parses --email, --password, --name and --secrets-file', () => {
    expect(
      parseCreateAdminArgs([
        '--email',
        ' Root@Example.com ',
        '--password',
        'Sup3r-secret-pw',
        '--name',
        'Root',
        '--secrets-file',
        '/tmp/s.json',
      ]),
    ).toEqual({ email: 'Root@Example.com', password: 'Sup3r-secret-pw', name: 'Root', secretsFile: '/tmp/s.json' });
  });

  it('takes the password from ADMIN_PASSWORD and defaults the name', () => {
    expect(parseCreateAdminArgs(['--email', 'root@example.com'], { ADMIN_PASSWORD: 'Sup3r-secret-pw' })).toEqual({
      email: 'root@example.com',
      password: 'Sup3r-secret-pw',
      name: 'Administrator',
    });
  });

  it.each([
    [['--password', 'Sup3r-secret-pw'], /--email/],
    [['--email', 'nope', '--password', 'Sup3r-secret-pw'], /--email/],
    [['--email', 'root@example.com'], /--password/],
    [['--email', 'root@example.com', '--password', 'weakpassword'], /--password: must mix/],
    [['--email', 'root@example.com', '--password', 'Sup3r-secret-pw', '--role', 'x'], /Unknown option '--role'/],
    [['--email', 'root@example.com', '--password', 'Sup3r-secret-pw', 'extra'], /positional/],
  ])('refuses %j with a usage message', (argv, message) => {
    const run = () => parseCreateAdminArgs(argv);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
    expect(run).toThrow(/usage: npm run create-admin/);
  });

  it('never echoes the password in its error', () => {
    try {
      parseCreateAdminArgs(['--email', 'bad', '--password', 'onlylowercaseletters']);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('onlylowercaseletters');
    }
  });
});

describe('bootstrapAdmin', () => {
  const args = { email: 'root@example.com', password: 'Sup3r-secret-pw', name: 'Root' };

  it('creates the admin once; a second run changes nothing', async () => {
    const users = memoryUserRepository();
    const first = await bootstrapAdmin(users, args, cheapHash);
    expect(first.outcome).toBe('created');
    const record = users.records.get(first.userId)!;
    expect(record).toMatchObject({ role: 'admin', email: 'root@example.com', pending: false });
    expect(await verifyPassword(args.password, record.passwordHash)).toBe(true);
    expect(await bootstrapAdmin(users, { ...args, email: 'ROOT@example.com ' }, cheapHash)).toEqual({
      userId: first.userId,
      outcome: 'unchanged',
    });
    expect(users.records.size).toBe(1);
  });

  it('promotes an existing customer without touching the password', async () => {
    const users = memoryUserRepository();
    const hash = await cheapHash('Customer-pass-1');
    await users.create({
      id: 'usr_cccccccccccccccccccccccc',
      email: 'root@example.com',
      name: 'C',
      role: 'customer',
      passwordHash: hash,
      registrationPending: false,
    });
    expect(await bootstrapAdmin(users, args, cheapHash)).toEqual({ userId: 'usr_cccccccccccccccccccccccc', outcome: 'promoted' });
    expect(users.records.get('usr_cccccccccccccccccccccccc')).toMatchObject({ role: 'admin', passwordHash: hash });
  });
});
