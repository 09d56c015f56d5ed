import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors/app-error.js';
import { validateNewCategory } from './category.js';
import { normalizeSku, validateNewProduct, validateProductPatch } from './product.js';

/** The field errors a validation throws (fails the test when it does not throw one). */
function fieldsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('validation_failed');
    return (err as AppError).fields ?? [];
  }
  throw new Error('expected a validation error');
}
const paths = (run: () => unknown) => fieldsOf(run).map((f) => f.path);

describe('normalizeSku', () => {
  it('trims and upper-cases valid skus', () => {
    expect(normalizeSku('  tshirt-classic_m.2 ')).toBe('TSHIRT-CLASSIC_M.2');
    expect(normalizeSku('A')).toBe('A');
    expect(normalizeSku('x'.repeat(64))).toBe('X'.repeat(64));
  });

  it('refuses what the stored pattern does not allow', () => {
    for (const bad of [
      '',
      '   ',
      '-LEADING',
      '.A',
      'has space',
      'ÄPFEL',
      'maß',
      'A/B',
      'x'.repeat(65),
      'A\u0000',
    ]) {
      expect(normalizeSku(bad), bad).toBeUndefined();
    }
  });
});

describe('validateNewProduct', () => {
  it('normalizes a valid product', () => {
    expect(
      validateNewProduct({
        sku: 'mug-1',
        name: '  Mug  ',
        description: '  Line one\nline two\t ',
        category: 'home',
        attributes: { color: 'red', capacityMl: 350, dishwasher: true },
      }),
    ).toEqual({
      sku: 'MUG-1',
      name: 'Mug',
      description: 'Line one\nline two',
      categorySlug: 'home',
      attributes: { color: 'red', capacityMl: 350, dishwasher: true },
    });
  });

  it('treats blank and absent optional fields as none', () => {
    expect(validateNewProduct({ sku: 'A1', name: 'A', description: '   ' })).toEqual({
      sku: 'A1',
      name: 'A',
      description: null,
      categorySlug: null,
      attributes: {},
    });
  });

  it('reports every bad field at once', () => {
    expect(paths(() => validateNewProduct({ sku: 'bad sku', name: '   ', description: 'x\u0000' }))).toEqual([
      'sku',
      'name',
      'description',
    ]);
  });

  it('counts name length in characters, not UTF-16 units', () => {
    expect(validateNewProduct({ sku: 'E', name: '😀'.repeat(200) }).name).toHaveLength(400);
    expect(paths(() => validateNewProduct({ sku: 'E', name: '😀'.repeat(201) }))).toEqual(['name']);
  });

  it('refuses control characters in names and over-long descriptions', () => {
    expect(paths(() => validateNewProduct({ sku: 'A', name: 'tab\there' }))).toEqual(['name']);
    expect(paths(() => validateNewProduct({ sku: 'A', name: 'bell\u0007' }))).toEqual(['name']);
    expect(paths(() => validateNewProduct({ sku: 'A', name: 'ok', description: 'd'.repeat(5001) }))).toEqual([
      'description',
    ]);
    expect(
      validateNewProduct({ sku: 'A', name: 'ok', description: 'd'.repeat(5000) }).description,
    ).toHaveLength(5000);
  });

  it('refuses a malformed category reference without touching the database', () => {
    expect(paths(() => validateNewProduct({ sku: 'A', name: 'ok', category: 'Not A Slug' }))).toEqual([
      'category',
    ]);
  });

  it('keeps attributes flat, bounded and storable', () => {
    const bad = (attributes: unknown) =>
      paths(() =>
        validateNewProduct({ sku: 'A', name: 'ok', attributes: attributes as Record<string, string> }),
      );
    expect(bad({ nested: { a: 1 } })).toEqual(['attributes.nested']);
    expect(bad({ list: [1, 2] })).toEqual(['attributes.list']);
    expect(bad({ nothing: null })).toEqual(['attributes.nothing']);
    expect(bad({ inf: Number.POSITIVE_INFINITY })).toEqual(['attributes.inf']);
    expect(bad({ nul: 'a\u0000b' })).toEqual(['attributes.nul']);
    expect(bad({ '': 'empty key' })).toEqual(['attributes.']);
    expect(bad({ long: 'v'.repeat(1001) })).toEqual(['attributes.long']);
    expect(bad(['array'])).toEqual(['attributes']);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(bad(many)).toEqual(['attributes']);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(
      Object.keys(validateNewProduct({ sku: 'A', name: 'ok', attributes: fifty }).attributes),
    ).toHaveLength(50);
  });

  it('keeps a __proto__ key a plain key instead of changing the prototype', () => {
    const attributes = JSON.parse('{"__proto__": "x", "a": 1}');
    const out = validateNewProduct({ sku: 'A', name: 'ok', attributes }).attributes;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":"x","a":1}');
  });
});

describe('validateProductPatch', () => {
  it('normalizes the given fields and keeps null as "remove"', () => {
    expect(
      validateProductPatch({
        name: ' New ',
        description: null,
        category: null,
        status: 'archived',
        version: 3,
      }),
    ).toEqual({
      changes: { name: 'New', description: null, categorySlug: null, status: 'archived' },
      expectedVersion: 3,
    });
  });

  it('refuses a sku change, bad status and bad version', () => {
    expect(paths(() => validateProductPatch({ sku: 'OTHER', name: 'x' }))).toEqual(['sku']);
    expect(paths(() => validateProductPatch({ status: 'deleted' }))).toEqual(['status']);
    expect(paths(() => validateProductPatch({ name: 'x', version: 0 }))).toEqual(['version']);
    expect(paths(() => validateProductPatch({ name: 'x', version: 1.5 }))).toEqual(['version']);
  });

  it('refuses an empty change', () => {
    expect(paths(() => validateProductPatch({}))).toEqual(['']);
    expect(paths(() => validateProductPatch({ version: 2 }))).toEqual(['']);
  });
});

describe('validateNewCategory', () => {
  it('accepts slugs of lower-case words joined by hyphens', () => {
    expect(validateNewCategory({ slug: 'home-and-garden', name: ' Home & Garden ', parent: 'home' })).toEqual(
      {
        slug: 'home-and-garden',
        name: 'Home & Garden',
        parentSlug: 'home',
      },
    );
  });

  it('refuses malformed slugs, names and parents', () => {
    for (const slug of ['Home', 'a--b', '-a', 'a-', 'a b', '', 'x'.repeat(65)]) {
      expect(
        paths(() => validateNewCategory({ slug, name: 'ok' })),
        slug,
      ).toEqual(['slug']);
    }
    expect(paths(() => validateNewCategory({ slug: 'ok', name: '' }))).toEqual(['name']);
    expect(paths(() => validateNewCategory({ slug: 'ok', name: 'ok', parent: 'Bad Parent' }))).toEqual([
      'parent',
    ]);
  });
});
