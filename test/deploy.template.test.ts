import { parse as goParse } from '@evertdespiegeleer/go-template';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { execute, type Templates } from '../scripts/chart/go-template.exec.js';
import { parseTemplate } from '../scripts/chart/go-template.parse.js';
import { helmFunctions } from '../scripts/chart/helm.functions.js';

/**
 * The chart renderer (scripts/chart) stands in for `helm template`, so its template engine is
 * checked against Go's own text/template (compiled to WebAssembly in @evertdespiegeleer/go-template)
 * on the built-in subset, and against Helm's documented behaviour for what Helm adds.
 */
function render(source: string, data: unknown): string {
  const parsed = parseTemplate(source, 'test.tpl');
  const templates: Templates = { defines: parsed.defines, functions: { ...helmFunctions } };
  return execute(parsed.body, data, templates);
}

/** Templates using only Go's built-ins, with data; Go's output is the expected one. */
const BUILTIN_CASES: [string, unknown][] = [
  [
    '{{ .a }}|{{ .n }}|{{ .big }}|{{ .f }}|{{ .neg }}|{{ .small }}',
    { a: 'x', n: 42, big: 1_000_000, f: 0.25, neg: -3, small: 0.00001 },
  ],
  ['a  {{- " b " -}}  c\n  {{- /* comment */ -}}\n d {{/* kept */}} e', {}],
  ['{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ else }}none{{ end }}', { m: { b: 2, a: 1, c: 'z' } }],
  [
    '{{ range .l }}[{{ . }}]{{ else }}none{{ end }}|{{ range .e }}x{{ else }}none{{ end }}',
    { l: [1, 'a', true], e: [] },
  ],
  ['{{ range $i, $v := .l }}{{ $i }}:{{ $v }} {{ end }}', { l: ['a', 'b'] }],
  ['{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}{{ if .z }}Z{{ end }}', { a: 0, b: 'yes', z: {} }],
  [
    '{{ with .m }}{{ .k }}{{ else }}empty{{ end }}|{{ with .e }}x{{ else }}empty{{ end }}',
    { m: { k: 'v' }, e: '' },
  ],
  ['{{ define "t" }}<{{ . }}>{{ end }}{{ template "t" .a }}{{ template "t" "lit" }}', { a: 'z' }],
  ['{{ and 1 0 }} {{ and 1 "x" }} {{ or 0 "" "y" }} {{ or 0 false }} {{ not 0 }} {{ not "a" }}', {}],
  [
    '{{ print 1 2 "a" 3 true }}|{{ printf "%s-%d-%v-%q" "s" 3 .l "q" }}|{{ .l }}|{{ .m }}',
    { l: [1, 'a'], m: { k: 'v', a: [1] } },
  ],
  ['{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ $y }}{{ end }}{{ $x }}', {}],
  ['{{ eq .a 1.0 }} {{ eq .s "x" "y" }} {{ ne .s "x" }} {{ lt .a 2.0 }} {{ ge .s "a" }}', { a: 1, s: 'y' }],
  [
    '{{ len .l }} {{ len .m }} {{ len .s }} {{ index .l 1 }} {{ index .m "k" }}',
    { l: [1, 2], m: { k: 'v' }, s: 'abc' },
  ],
  [
    '{{ (index .l 0).name }}|{{ $.top }}|{{ range .l }}{{ $.top }}{{ .name }}{{ end }}',
    { l: [{ name: 'n' }], top: 'T' },
  ],
  ['{{ "a\\tb\\"c" }}|{{ `raw\\n` }}|{{ 3 }}|{{ true }}', {}],
  ['{{- range .l }}\n  - {{ . }}\n{{- end }}\n', { l: ['x', 'y'] }],
];

describe('chart renderer: Go template semantics', () => {
  it.each(BUILTIN_CASES)('renders %j as Go text/template does', async (source, data) => {
    expect(render(source, data)).toBe(await goParse(source, data));
  });

  it('agrees with Go on truthiness, ranges and number printing for any values', async () => {
    const scalar = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.integer({ min: -2_000_000, max: 20_000_000 }),
      fc.double({ min: -1e7, max: 1e7, noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
    );
    const value = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), scalar, { maxKeys: 3 }),
    );
    const source =
      '{{ range $k, $v := . }}{{ $k }}:{{ if $v }}T{{ else }}F{{ end }}{{ with $v }}={{ . }}{{ end }};{{ end }}';
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), value, { maxKeys: 4 }),
        async (data) => {
          // -0 has no JSON form: Go would read it as 0.
          const json = JSON.parse(JSON.stringify(data));
          expect(render(source, json)).toBe(await goParse(source, json));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("prints a missing map key as nothing and fails on a field of nil, as Helm's missingkey=zero does", () => {
    expect(render('[{{ .Values.missing }}]', { Values: {} })).toBe('[]');
    expect(() => render('{{ .Values.missing.deeper }}', { Values: {} })).toThrow(/nil pointer/);
  });

  it('refuses syntax outside the subset instead of rendering it differently', () => {
    expect(() => render('{{ block "x" . }}{{ end }}', {})).toThrow(/outside the supported subset/);
    expect(() => render('{{ if .a }}open', { a: 1 })).toThrow(/without \{\{end\}\}/);
    expect(() => render('{{ nosuchfunction 1 }}', {})).toThrow(/not defined/);
    expect(() => render('{{ $undeclared }}', {})).toThrow(/undefined variable/);
  });
});

describe('chart renderer: Sprig and Helm functions', () => {
  it('indents, quotes, defaults and trims as Sprig does', () => {
    const data = { m: { b: [1, 'two'], a: { c: true } }, empty: '', name: 'release-name-that-is-long-' };
    expect(render('x:{{ toYaml .m | nindent 2 }}', data)).toBe(
      'x:\n  a:\n    c: true\n  b:\n    - 1\n    - two',
    );
    expect(render('{{ "a\\nb" | indent 3 }}', data)).toBe('   a\n   b');
    expect(render('{{ .empty | default "d" }} {{ 0 | default 5 }} {{ "v" | default "d" }}', data)).toBe(
      'd 5 v',
    );
    expect(render('{{ .name | trunc 12 | trimSuffix "-" }}|{{ "abc" | trunc -2 }}', data)).toBe(
      'release-name|bc',
    );
    expect(render('{{ quote "a\\"b" 1 }} {{ upper "order" }} {{ replace "-" "_" "a-b" }}', data)).toBe(
      '"a\\"b" "1" ORDER a_b',
    );
    expect(render('{{ toJson .m }}', data)).toBe('{"a":{"c":true},"b":[1,"two"]}');
  });

  it('builds dicts and lists, reads YAML back and fails with the message of required/fail', () => {
    expect(render('{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ toJson $d }}', {})).toBe('{"a":1,"b":2}');
    expect(
      render(
        '{{ has "b" (list "a" "b") }} {{ hasKey (dict "k" 0) "k" }} {{ hasPrefix "DATABASE_URL_" "DATABASE_URL_ORDER" }}',
        {},
      ),
    ).toBe('true true true');
    expect(render('{{ (fromYaml "a:\\n  b: 3").a.b }}', {})).toBe('3');
    expect(() => render('{{ required "name is required" .missing }}', {})).toThrow(/name is required/);
    expect(() => render('{{ fail "stop here" }}', {})).toThrow(/stop here/);
  });
});
