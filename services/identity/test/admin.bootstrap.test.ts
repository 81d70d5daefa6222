import { describe, expect, it } from 'vitest';
import { BootstrapRefusedError, UsageError, bootstrapAdmin, parseCreateAdminArgs } from '../src/admin.bootstrap.ts';
import { hashPassword, verifyPassword } from '../src/password.hasher.ts';
import { memoryUserRepository } from './memory-user.repository.ts';

const cheapHash = (pw: string) => hashPassword(pw, { ln: 10, r: 8, p: 1 });

describe('create-admin arguments', () => {
  it('parses --email, --password, --name, --promote and --secrets-file', () => {
    expect(
      parseCreateAdminArgs([
        '--email',
        ' Root@Example.com ',
        '--password',
        'Sup3r-secret-pw',
        '--name',
        'Root',
        '--promote',
        '--secrets-file',
        '/tmp/s.json',
      ]),
    ).toEqual({ email: 'Root@Example.com', password: 'Sup3r-secret-pw', name: 'Root', promote: true, secretsFile: '/tmp/s.json' });
  });

  it('takes the password from ADMIN_PASSWORD and defaults the name', () => {
    expect(parseCreateAdminArgs(['--email', 'root@example.com'], { ADMIN_PASSWORD: 'Sup3r-secret-pw' })).toEqual({
      email: 'root@example.com',
      password: 'Sup3r-secret-pw',
      name: 'Administrator',
      promote: false,
    });
  });

  it.each([
    [['--password', 'Sup3r-secret-pw'], /--email/],
    [['--email', 'nope', '--password', 'Sup3r-secret-pw'], /--email/],
    [['--email', 'root@example.com'], /--password/],
    [['--email', 'root@example.com', '--password', 'weakpassword'], /--password: must mix/],
    [['--email', 'root@example.com', '--password', 'Sup3r-secret-pw', '--role', 'x'], /Unknown option '--role'/],
    [['--email', 'root@example.com', '--password', 'Sup3r-secret-pw', 'extra'], /positional/],
    [['--email', 'root@example.com', '--password', 'Sup3r-secret-pw', '--promote=yes'], /--promote/],
    [['--email', 'root@example.com', '--password', 'Sup3r-secret-pw', '--force'], /Unknown option '--force'/],
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
  const customerId = 'usr_cccccccccccccccccccccccc';

  async function withCustomer() {
    const users = memoryUserRepository();
    const hash = await cheapHash('Customer-pass-1');
    await users.create({
      id: customerId,
      email: 'Root@Example.com',
      name: 'C',
      role: 'customer',
      passwordHash: hash,
      registrationPending: false,
    });
    return { users, hash };
  }

  it('creates the admin; a second run sets the password it is given and says so', async () => {
    const users = memoryUserRepository();
    const first = await bootstrapAdmin(users, args, cheapHash);
    expect(first).toMatchObject({ outcome: 'created', message: `created admin ${first.userId}` });
    const record = users.records.get(first.userId)!;
    expect(record).toMatchObject({ role: 'admin', email: 'root@example.com', pending: false });
    expect(await verifyPassword(args.password, record.passwordHash)).toBe(true);

    const again = await bootstrapAdmin(users, { ...args, email: 'ROOT@example.com ', password: 'An0ther-secret-pw' }, cheapHash);
    expect(again).toMatchObject({ userId: first.userId, outcome: 'password-updated' });
    expect(again.message).toMatch(/set its password/);
    expect(users.records.size).toBe(1);
    const updated = users.records.get(first.userId)!;
    expect(await verifyPassword('An0ther-secret-pw', updated.passwordHash)).toBe(true);
    expect(await verifyPassword(args.password, updated.passwordHash)).toBe(false);
  });

  it('refuses an existing customer without promote and changes nothing', async () => {
    const { users, hash } = await withCustomer();
    const run = bootstrapAdmin(users, args, cheapHash);
    await expect(run).rejects.toThrow(BootstrapRefusedError);
    await expect(bootstrapAdmin(users, { ...args, promote: false }, cheapHash)).rejects.toThrow(/pass --promote/);
    expect(users.records.get(customerId)).toMatchObject({ role: 'customer', passwordHash: hash, name: 'C' });
    expect(users.records.size).toBe(1);
  });

  it('with promote makes the customer an admin whose only password is the one given', async () => {
    const { users } = await withCustomer();
    const result = await bootstrapAdmin(users, { ...args, promote: true }, cheapHash);
    expect(result).toMatchObject({ userId: customerId, outcome: 'promoted' });
    expect(result.message).toMatch(/promoted customer .* to admin and set its password/);
    const record = users.records.get(customerId)!;
    expect(record).toMatchObject({ role: 'admin', name: 'C' });
    expect(await verifyPassword(args.password, record.passwordHash)).toBe(true);
    expect(await verifyPassword('Customer-pass-1', record.passwordHash)).toBe(false);
  });
});
