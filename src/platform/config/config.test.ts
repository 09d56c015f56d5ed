import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from './config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('applies development defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.NODE_ENV).toBe('development');
    expect(config.databaseKind).toBe('pglite');
    expect(config.DATA_DIR).toBe('./.data');
    expect(config.BUS_URL).toBe('memory');
  });

  it('names the setting that is invalid', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
    ]);
  });

  it('refuses development-only defaults in production, naming each setting', () => {
    const problems = problemsOf({ NODE_ENV: 'production', CORS_ORIGINS: '*' });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'CORS_ORIGINS',
        'DATABASE_URL',
        'ORDERLINE_ADMIN_EMAIL',
        'ORDERLINE_ADMIN_PASSWORD',
        'AUTH_JWT_KEYS',
      ]),
    );
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@db/orderline',
      ORDERLINE_ADMIN_EMAIL: 'ops@example.com',
      ORDERLINE_ADMIN_PASSWORD: 'a-long-enough-secret',
      AUTH_JWT_KEYS_FILE: '/run/secrets/jwt.json',
      PAYMENT_TESTPAY_WEBHOOK_SECRETS: 'whsec_current,whsec_previous',
      SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: 'shsec_current',
      SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587',
      CORS_ORIGINS: 'https://shop.example.com, https://admin.example.com',
    });
    expect(config.isProduction).toBe(true);
    expect(config.CORS_ORIGINS).toEqual(['https://shop.example.com', 'https://admin.example.com']);
  });

  it('requires the admin password when the admin email is given', () => {
    expect(problemsOf({ ORDERLINE_ADMIN_EMAIL: 'a@b.co' })).toEqual([
      'ORDERLINE_ADMIN_PASSWORD: required when ORDERLINE_ADMIN_EMAIL is set',
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(8080);
  });

  it('redacts secrets and URL credentials when printed', () => {
    const printed = redactedConfig(
      loadConfig({
        DATABASE_URL: 'postgres://orderline:s3cret@db:5432/orderline',
        ORDERLINE_ADMIN_EMAIL: 'a@b.co',
        ORDERLINE_ADMIN_PASSWORD: 'super-secret-password',
        AUTH_JWT_KEYS: '[{"kid":"k1"}]',
        PAYMENT_TESTPAY_WEBHOOK_SECRETS: 'whsec_1,whsec_2',
      }),
    );
    expect(printed.PAYMENT_TESTPAY_WEBHOOK_SECRETS).toBe('***');
    expect(printed.DATABASE_URL).toBe('postgres://***@db:5432/orderline');
    expect(printed.ORDERLINE_ADMIN_PASSWORD).toBe('***');
    expect(printed.AUTH_JWT_KEYS).toBe('***');
    expect(printed.ORDERLINE_ADMIN_EMAIL).toBe('a@b.co');
    expect(JSON.stringify(printed)).not.toContain('s3cret');
  });
});
