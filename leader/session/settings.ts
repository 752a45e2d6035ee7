// Session settings (GUCs): defaults, which ones are reported to clients, SET validation.
import { SqlError, SqlState } from '../../common/errors/index.ts';
import { UTC, isRegion, offsetAt, type ZoneSettings } from '../../sql/types/time-zone.ts';

/** One configuration parameter. */
interface Guc {
  readonly defaultValue: string;
  /** Sent as ParameterStatus at start and on change (PostgreSQL's GUC_REPORT). */
  readonly report: boolean;
  readonly readOnly?: boolean;
  /** Normalises and validates a new value; throws 22023 when invalid. */
  readonly check?: (v: string) => string;
  readonly description: string;
}

/** The PostgreSQL version we present. psql and drivers pick their catalog queries by it. */
export const SERVER_VERSION = '15.0';
export const SERVER_VERSION_NUM = '150000';

function invalid(name: string, v: string): SqlError {
  return new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parameter "${name}": "${v}"`);
}

/**
 * The session zone for a TimeZone setting: a fixed offset, or a region (IANA name) whose offset
 * depends on the instant; undefined for a name we do not know.
 */
export function sessionZone(zone: string): ZoneSettings | undefined {
  const z = zone.trim();
  if (/^(utc|gmt|z|zulu|etc\/utc|etc\/gmt|universal|etc\/universal)$/i.test(z)) return UTC;
  const m = /^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(z);
  if (m) {
    // POSIX-style names (UTC+3) count west-positive; bare ISO offsets (+03) east-positive.
    const sign = m[1] === '-' ? -1 : 1;
    const secs = sign * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
    return { timeZoneOffsetSeconds: /^(utc|gmt)/i.test(z) ? -secs : secs };
  }
  if (!isRegion(z)) return undefined;
  const region: ZoneSettings = { timeZoneOffsetSeconds: 0, timeZone: z };
  return { timeZoneOffsetSeconds: offsetAt(region, BigInt(Date.now()) * 1000n), timeZone: z };
}

const onOff = (name: string) => (v: string): string => {
  const s = v.toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(s)) return 'on';
  if (['off', 'false', 'no', '0'].includes(s)) return 'off';
  throw invalid(name, v);
};

const GUCS: Record<string, Guc> = {
  application_name: { defaultValue: '', report: true, description: 'Sets the application name to be reported in statistics and logs.' },
  client_encoding: {
    defaultValue: 'UTF8', report: true, description: "Sets the client's character set encoding.",
    check: (v) => {
      if (/^(utf-?8|unicode)$/i.test(v)) return 'UTF8';
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `conversion between ${v} and UTF8 is not supported`);
    },
  },
  datestyle: {
    defaultValue: 'ISO, MDY', report: true, description: 'Sets the display format for date and time values.',
    check: (v) => {
      if (/^\s*iso\s*(,\s*(mdy|dmy|ymd)\s*)?$/i.test(v) || /^\s*(mdy|dmy|ymd)\s*,\s*iso\s*$/i.test(v)) return 'ISO, MDY';
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `DateStyle "${v}" is not supported; only ISO is`);
    },
  },
  timezone: {
    defaultValue: 'UTC', report: true, description: 'Sets the time zone for displaying and interpreting time stamps.',
    check: (v) => {
      if (sessionZone(v) === undefined) throw invalid('TimeZone', v);
      return v;
    },
  },
  intervalstyle: { defaultValue: 'postgres', report: true, description: 'Sets the display format for interval values.', check: (v) => {
    if (v.toLowerCase() !== 'postgres') throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `IntervalStyle "${v}" is not supported`);
    return 'postgres';
  } },
  integer_datetimes: { defaultValue: 'on', report: true, readOnly: true, description: 'Shows whether datetimes are integer based.' },
  standard_conforming_strings: { defaultValue: 'on', report: true, description: "Causes '...' strings to treat backslashes literally.", check: (v) => {
    if (onOff('standard_conforming_strings')(v) !== 'on') throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'standard_conforming_strings cannot be turned off');
    return 'on';
  } },
  server_version: { defaultValue: SERVER_VERSION, report: true, readOnly: true, description: 'Shows the server version.' },
  server_version_num: { defaultValue: SERVER_VERSION_NUM, report: false, readOnly: true, description: 'Shows the server version as an integer.' },
  server_encoding: { defaultValue: 'UTF8', report: true, readOnly: true, description: 'Shows the server (database) character set encoding.' },
  is_superuser: { defaultValue: 'on', report: true, readOnly: true, description: 'Shows whether the current user is a superuser.' },
  session_authorization: { defaultValue: '', report: true, readOnly: true, description: 'Sets the session user name.' },
  default_transaction_read_only: { defaultValue: 'off', report: true, description: 'Sets the default read-only status of new transactions.', check: onOff('default_transaction_read_only') },
  in_hot_standby: { defaultValue: 'off', report: true, readOnly: true, description: 'Shows whether hot standby is currently active.' },
  search_path: { defaultValue: '"$user", public', report: false, description: 'Sets the schema search order for names that are not schema-qualified.' },
  extra_float_digits: { defaultValue: '1', report: false, description: 'Sets the number of digits displayed for floating-point values.' },
  statement_timeout: { defaultValue: '0', report: false, description: 'Sets the maximum allowed duration of any statement.' },
  lock_timeout: { defaultValue: '0', report: false, description: 'Sets the maximum allowed duration of any wait for a lock.' },
  idle_in_transaction_session_timeout: { defaultValue: '0', report: false, description: 'Sets the maximum allowed idle time between queries, when in a transaction.' },
  transaction_isolation: { defaultValue: 'read committed', report: false, description: "Sets the current transaction's isolation level." },
  default_transaction_isolation: { defaultValue: 'read committed', report: false, description: 'Sets the transaction isolation level of each new transaction.' },
  max_identifier_length: { defaultValue: '63', report: false, readOnly: true, description: 'Shows the maximum identifier length.' },
  lc_messages: { defaultValue: 'C', report: false, description: 'Sets the language in which messages are displayed.' },
  lc_monetary: { defaultValue: 'C', report: false, description: 'Sets the locale for formatting monetary amounts.' },
  lc_numeric: { defaultValue: 'C', report: false, description: 'Sets the locale for formatting numbers.' },
  lc_time: { defaultValue: 'C', report: false, description: 'Sets the locale for formatting date and time values.' },
  client_min_messages: { defaultValue: 'notice', report: false, description: 'Sets the message levels that are sent to the client.' },
  bytea_output: { defaultValue: 'hex', report: false, description: 'Sets the output format for bytea.' },
  enable_result_cache_for_session: { defaultValue: 'on', report: false, description: 'Redshift: result caching (accepted, no effect).' },
  query_group: { defaultValue: 'default', report: false, description: 'Redshift: query group label for workload management.' },
};

/** Display names for the reported parameters (PostgreSQL's mixed case). */
const DISPLAY: Record<string, string> = { datestyle: 'DateStyle', timezone: 'TimeZone', intervalstyle: 'IntervalStyle' };

/** The settings of one session. */
export class SessionSettings {
  private readonly values = new Map<string, string>();

  constructor(user: string, startup: Readonly<Record<string, string>>) {
    for (const [k, g] of Object.entries(GUCS)) this.values.set(k, g.defaultValue);
    this.values.set('session_authorization', user);
    for (const [k, v] of Object.entries(startup)) {
      const name = k.toLowerCase();
      const g = GUCS[name];
      if (!g || g.readOnly) continue;
      try {
        this.values.set(name, g.check ? g.check(v) : v);
      } catch {
        // Startup options with unusable values keep the default, as a lenient server would.
      }
    }
  }

  /** ParameterStatus pairs sent after authentication. */
  reported(): [string, string][] {
    const out: [string, string][] = [];
    for (const [k, g] of Object.entries(GUCS)) if (g.report) out.push([DISPLAY[k] ?? k, this.values.get(k)!]);
    return out;
  }

  get(name: string): string {
    const n = name.toLowerCase();
    const v = this.values.get(n);
    if (v === undefined) {
      if (n.includes('.')) throw new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`);
      throw new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`);
    }
    return v;
  }

  /**
   * Sets a parameter (null = RESET to default). Returns the [displayName, value] to report when
   * the parameter is GUC_REPORT, else null.
   */
  set(name: string, value: string | null): [string, string] | null {
    const n = name.toLowerCase();
    const g = GUCS[n];
    if (!g) {
      if (n.includes('.')) {
        this.values.set(n, value ?? '');
        return null;
      }
      throw new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`);
    }
    if (g.readOnly) throw new SqlError(SqlState.CANT_CHANGE_RUNTIME_PARAM, `parameter "${name}" cannot be changed`);
    const v = value === null ? g.defaultValue : g.check ? g.check(value) : value;
    this.values.set(n, v);
    return g.report ? [DISPLAY[n] ?? n, v] : null;
  }

  /** All settings for SHOW ALL. */
  all(): [string, string, string][] {
    return Object.entries(GUCS).map(([k, g]) => [DISPLAY[k] ?? k, this.values.get(k)!, g.description]);
  }

  /** The TimeZone setting as a zone. */
  zone(): ZoneSettings {
    return sessionZone(this.values.get('timezone')!) ?? UTC;
  }
}
