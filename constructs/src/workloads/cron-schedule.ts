/**
 * The schedule syntax Kubernetes accepts for a CronJob: robfig/cron v3's standard parser
 * (`cron.ParseStandard`, used by the CronJob controller since 1.21) — five fields, or a `@` macro.
 */

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** First number a name stands for (months count from 1). */
  readonly nameBase?: number;
}

const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, nameBase: 0 },
];

/** Why `schedule` is not a schedule Kubernetes accepts, or undefined when it is one. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text !== schedule) return 'has leading or trailing spaces';
  if (/^(CRON_)?TZ=/.test(text)) return 'sets TZ inside the schedule; use the timeZone field instead';
  if (text.startsWith('@')) {
    if (MACROS.has(text)) return undefined;
    if (/^@every \S+$/.test(text)) return undefined;
    return `unknown macro "${text}" (known: ${[...MACROS].join(', ')}, @every <duration>)`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `has ${fields.length} fields; expected 5 (minute hour day-of-month month day-of-week) or a macro such as @daily`;
  for (const [index, field] of fields.entries()) {
    const rule = FIELDS[index] as FieldRule;
    const problem = fieldProblem(field, rule);
    if (problem) return `${rule.name} field "${field}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(field: string, rule: FieldRule): string | undefined {
  for (const part of field.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined) return 'more than one "/"';
    if (step !== undefined && !/^[0-9]+$/.test(step)) return `step "${step}" is not a number`;
    if (step !== undefined && Number(step) === 0) return 'step must be positive';
    if (range === '*' || (range === '?' && (rule.name === 'day of month' || rule.name === 'day of week'))) continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `"${range}" is not a value or a range`;
    const values = bounds.map((bound) => fieldValue(bound, rule));
    for (const [position, value] of values.entries()) {
      if (value === undefined) return `"${bounds[position]}" is not a ${rule.name} (${rule.min}-${rule.max}${rule.names ? ` or a name` : ''})`;
    }
    const [low, high = low] = values as number[];
    if ((low as number) > (high as number)) return `range "${range}" runs backwards`;
  }
  return undefined;
}

function fieldValue(text: string, rule: FieldRule): number | undefined {
  const named = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (rule.nameBase ?? 0);
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= rule.min && value <= rule.max ? value : undefined;
}
