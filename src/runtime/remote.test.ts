import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../platform/config/config.js';
import { databaseUrl } from './orderline.js';
import { peerUrl } from './remote.js';
import { resolveServices } from './services.js';

describe('distributed-mode configuration', () => {
  it('finds a peer by SERVICE_URL_<SERVICE>, else by the template, else not at all', () => {
    const config = loadConfig({
      SERVICE_URL_ORDER: 'http://orders.internal:9000',
      SERVICE_URL_TEMPLATE: 'http://orderline-{service}-api:8080',
    });
    expect(peerUrl(config, 'order')).toBe('http://orders.internal:9000');
    expect(peerUrl(config, 'payment')).toBe('http://orderline-payment-api:8080');
    expect(peerUrl(loadConfig({}), 'payment')).toBeUndefined();
    expect(() => loadConfig({ SERVICE_URL_ORDER: 'orders:9000' })).toThrow(ConfigError);
  });

  it('uses DATABASE_URL_<SERVICE> before DATABASE_URL and refuses two databases in one process', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://shared/db',
      DATABASE_URL_ORDER: 'postgres://u:secret@orders/db',
    });
    expect(databaseUrl(config, ['order'])).toBe('postgres://u:secret@orders/db');
    expect(databaseUrl(config, ['payment'])).toBe('postgres://shared/db');
    expect(() => databaseUrl(config, ['order', 'payment'])).toThrow(/different databases/);
    expect(JSON.stringify(redactedConfig(config))).not.toContain('secret');
  });

  it('lets a service run without its dependencies when another process serves them', () => {
    expect(() => resolveServices(['order'])).toThrow(/needs catalog/);
    expect(resolveServices(['order'], () => true)).toEqual(['order']);
  });
});
