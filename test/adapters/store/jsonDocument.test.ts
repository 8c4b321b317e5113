import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CorruptStateError, openDocument } from '../../../adapters/store/jsonDocument.ts';
import { useTempHomes } from '../../fixtures/tempHome.ts';

const schema = z.object({ count: z.number().int().nonnegative(), items: z.array(z.string()) });
type Doc = z.infer<typeof schema>;
const initial: Doc = { count: 0, items: [] };
const newDir = useTempHomes('mia-doc-');

const onDisk = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('openDocument', () => {
  it('starts from the initial value and creates the file only at the first update', async () => {
    const path = join(newDir(), 'state', 'doc.json');
    const doc = await openDocument(path, schema, initial);
    expect(doc.view()).toEqual(initial);
    expect(existsSync(path)).toBe(false);
    await doc.update((d) => {
      d.count = 1;
    });
    expect(onDisk(path)).toEqual({ count: 1, items: [] });
  });

  it('reads back what it wrote', async () => {
    const path = join(newDir(), 'doc.json');
    const a = await openDocument(path, schema, initial);
    await a.update((d) => {
      d.count = 7;
      d.items.push('x', 'y');
    });
    await a.close();
    const b = await openDocument(path, schema, initial);
    expect(b.view()).toEqual({ count: 7, items: ['x', 'y'] });
  });

  it('replaces the file by rename (a new inode), never by rewriting it in place', async () => {
    const path = join(newDir(), 'doc.json');
    const doc = await openDocument(path, schema, initial);
    await doc.update((d) => void (d.count = 1));
    const before = statSync(path).ino;
    await doc.update((d) => void (d.count = 2));
    expect(statSync(path).ino).not.toBe(before);
  });

  it('serialises unawaited updates: every promise resolves and the last state wins', async () => {
    const path = join(newDir(), 'doc.json');
    const doc = await openDocument(path, schema, initial);
    const results = Array.from({ length: 200 }, (_, i) =>
      doc.update((d) => {
        d.count += 1;
        d.items.push(`i${i}`);
        return d.count;
      }),
    );
    await doc.flush();
    expect(onDisk(path)).toEqual({ count: 200, items: Array.from({ length: 200 }, (_, i) => `i${i}`) });
    expect(await Promise.all(results)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('leaves memory and disk unchanged when the updater throws or breaks the schema', async () => {
    const path = join(newDir(), 'doc.json');
    const doc = await openDocument(path, schema, initial);
    await doc.update((d) => void d.items.push('kept'));
    const bytes = readFileSync(path, 'utf8');
    await expect(
      doc.update((d) => {
        d.items.push('lost');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(doc.update((d) => void (d.count = -1))).rejects.toThrow();
    expect(doc.view()).toEqual({ count: 0, items: ['kept'] });
    expect(readFileSync(path, 'utf8')).toBe(bytes);
  });

  it('hands out views that later updates do not change', async () => {
    const doc = await openDocument(join(newDir(), 'doc.json'), schema, initial);
    const before = doc.view();
    await doc.update((d) => void d.items.push('a'));
    expect(before).toEqual(initial);
    expect(doc.view().items).toEqual(['a']);
  });

  it('refuses updates after close', async () => {
    const doc = await openDocument(join(newDir(), 'doc.json'), schema, initial);
    await doc.close();
    await expect(doc.update((d) => void (d.count = 1))).rejects.toThrow(/closed/);
  });

  describe('a file that cannot be trusted is refused and left byte for byte as it was', () => {
    const cases: { name: string; bytes: string; reason: RegExp }[] = [
      { name: 'truncated JSON', bytes: '{"count": 3, "items": ["a"', reason: /invalid JSON/ },
      { name: 'empty file', bytes: '', reason: /invalid JSON/ },
      { name: 'JSON null', bytes: 'null', reason: /schema mismatch at \(root\)/ },
      { name: 'wrong type deep inside', bytes: '{"count": 3, "items": ["a", 4]}', reason: /at items\.1/ },
      { name: 'missing field', bytes: '{"items": []}', reason: /at count/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const dir = newDir();
        const path = join(dir, 'doc.json');
        writeFileSync(path, c.bytes);
        const error = await openDocument(path, schema, initial).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CorruptStateError);
        const corrupt = error as CorruptStateError;
        expect(corrupt.message).toContain(path);
        expect(corrupt.path).toBe(path);
        expect(corrupt.message).toMatch(c.reason);
        expect(readFileSync(path, 'utf8')).toBe(c.bytes);
        expect(readdirSync(dir)).toEqual(['doc.json']);
      });
    }

    it('names the JSON parse position', async () => {
      const path = join(newDir(), 'doc.json');
      writeFileSync(path, '{"count": 1,, "items": []}');
      await expect(openDocument(path, schema, initial)).rejects.toThrow(/position 12/);
    });
  });
});
