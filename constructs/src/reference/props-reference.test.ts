import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE, renderPropsReference } from './props-reference.ts';

describe('the constructs reference', () => {
  it('is current: docs/constructs.md is what the JSDoc says (pnpm docs writes it)', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', '..', '..', REFERENCE_FILE), 'utf8');
    expect(committed).toBe(renderPropsReference());
  });

  it('lists every prop with its default, and what a construct fixes', () => {
    const reference = renderPropsReference();
    expect(reference).toContain('| `timeZone` | `string` | no | Etc/UTC | Time zone of the schedule. |');
    expect(reference).toContain('| `schedule` | `Cron | string` | yes |'.replace('Cron | string', 'Cron \\| string'));
    expect(reference).toContain('`startingDeadlineSeconds: 10`');
    expect(reference).toContain("| `writablePaths` | `readonly string[]` | no | ['/tmp'] |");
    expect(reference).toMatch(/## Worker\n\nA Deployment of queue consumers[^\n]*\n\nProps: every \[shared prop\]\(#shared-props\), and: none of its own\./);
  });
});
