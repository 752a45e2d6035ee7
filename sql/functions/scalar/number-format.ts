// to_char(number, template): PostgreSQL's numeric templates (formatting.c's NUM_processor):
// 9 0 . D , G S MI PL SG PR L V TH EEEE RN FM, with its rules for signs, blanks and '#' overflow.
import { SqlError, SqlState } from '../../../common/errors/index.ts';
import { ordinalSuffix } from './datetime-format.ts';

const NUM_KEYWORDS = ['FM', 'fm', 'MI', 'mi', 'PL', 'pl', 'PR', 'pr', 'RN', 'rn', 'SG', 'sg', 'SP', 'sp', 'TH', 'th', 'EEEE', 'eeee',
  ',', '.', '0', '9', 'B', 'b', 'D', 'd', 'G', 'g', 'L', 'l', 'S', 's', 'V', 'v'] as const;

type NumNode = { kind: 'key'; key: string } | { kind: 'char'; c: string };

/** Splits a template into keywords and literal characters ("quoted text" is literal). */
function numNodes(fmt: string): NumNode[] {
  const nodes: NumNode[] = [];
  for (let i = 0; i < fmt.length;) {
    if (fmt[i] === '"') {
      i++;
      while (i < fmt.length && fmt[i] !== '"') {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        nodes.push({ kind: 'char', c: fmt[i]! });
        i++;
      }
      i++;
      continue;
    }
    const key = NUM_KEYWORDS.find((k) => fmt.startsWith(k, i));
    if (key !== undefined) { nodes.push({ kind: 'key', key }); i += key.length; }
    else { nodes.push({ kind: 'char', c: fmt[i]! }); i++; }
  }
  return nodes;
}

/** The parsed template: PostgreSQL's NUMDesc. */
export interface NumDesc {
  readonly nodes: readonly NumNode[];
  pre: number;
  post: number;
  /** 0-based index of the first '0' digit; -1 when none. */
  zeroStart: number;
  /** 1-based index of the last '0' digit. */
  zeroEnd: number;
  decimal: boolean;
  fill: boolean;
  lsign: 'pre' | 'post' | null;
  bracket: boolean;
  minus: boolean;
  plus: boolean;
  sg: boolean;
  roman: boolean;
  eeee: boolean;
  /** V: digits to shift left. */
  multi: number;
}

function syntax(message: string): SqlError {
  return new SqlError(SqlState.SYNTAX_ERROR, message);
}

/** Parses a numeric template. */
export function parseNumFormat(fmt: string): NumDesc {
  const nodes = numNodes(fmt);
  let afterV = false;
  const d: NumDesc = {
    nodes, pre: 0, post: 0, zeroStart: -1, zeroEnd: 0, decimal: false, fill: false, lsign: null, bracket: false,
    minus: false, plus: false, sg: false, roman: false, eeee: false, multi: 0,
  };
  for (const n of nodes) {
    if (n.kind !== 'key') continue;
    const k = n.key.toUpperCase();
    switch (k) {
      case '9': case '0':
        // Digits after V only count the shift (PostgreSQL adds them to pre when formatting).
        if (afterV) { d.multi++; break; }
        if (k === '0' && d.zeroStart < 0) d.zeroStart = d.pre + d.post;
        if (d.decimal) d.post++; else d.pre++;
        if (k === '0') d.zeroEnd = d.pre + d.post;
        break;
      case '.': case 'D':
        if (d.decimal) throw syntax('multiple decimal points');
        if (afterV) throw syntax('cannot use "V" and decimal point together');
        d.decimal = true;
        break;
      case 'FM': d.fill = true; break;
      case 'S':
        if (d.lsign !== null) throw syntax('cannot use "S" twice');
        if (d.plus || d.minus || d.bracket) throw syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
        d.lsign = d.pre + d.post === 0 && !d.decimal ? 'pre' : 'post';
        break;
      case 'MI': d.minus = true; break;
      case 'PL': d.plus = true; break;
      case 'SG': d.sg = true; break;
      case 'PR':
        if (d.lsign !== null || d.plus || d.minus) throw syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
        d.bracket = true;
        break;
      case 'RN': d.roman = true; break;
      case 'V': afterV = true; break;
      case 'EEEE': d.eeee = true; break;
      default: break;
    }
  }
  return d;
}

const ROMAN: [number, string][] = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];

function toRoman(n: number): string {
  let s = '';
  for (const [v, r] of ROMAN) while (n >= v) { s += r; n -= v; }
  return s;
}

/**
 * Renders an already rounded number: `negative` and `digits` ("123.45", no sign, exactly `post`
 * fraction digits; for roman numerals the integer value). Ports NUM_processor's to_char path.
 */
export function formatNumber(d: NumDesc, negative: boolean, digits: string, intValue: number): string {
  if (d.roman) {
    const r = intValue < 1 || intValue > 3999 ? '###############' : toRoman(intValue);
    let out = '';
    for (const n of d.nodes) {
      if (n.kind === 'char') { out += n.c; continue; }
      if (n.key === 'RN') out += d.fill ? r : r.padStart(15, ' ');
      else if (n.key === 'rn') out += d.fill ? r.toLowerCase() : r.toLowerCase().padStart(15, ' ');
    }
    return out;
  }
  let number = digits;
  const dot = number.indexOf('.');
  const preLen = dot < 0 ? number.length : dot;
  let outPreSpaces = 0;
  if (preLen < d.pre) outPreSpaces = d.pre - preLen;
  else if (preLen > d.pre) number = '#'.repeat(d.pre) + (d.decimal ? '.' + '#'.repeat(d.post) : '');
  const sign = negative ? '-' : '+';
  const isZero = d.zeroStart >= 0;
  const explicitSign = d.minus || d.sg;
  let signWrote = explicitSign || (sign === '+' && d.fill && d.lsign === null);
  // The last fraction digit worth printing in fill mode (a pointer into `number`).
  let lastRelevant = -1;
  if (d.fill && d.decimal) {
    const p = number.indexOf('.');
    if (p >= 0) {
      lastRelevant = p;
      for (let k = p + 1; k < number.length; k++) if (number[k] !== '0') lastRelevant = k;
      if (d.zeroEnd > outPreSpaces) {
        const lastZero = d.zeroEnd - outPreSpaces;
        if (lastRelevant < lastZero) lastRelevant = lastZero;
      }
    }
  }
  let numCount = d.post + d.pre - 1;
  if (!signWrote && outPreSpaces === 0) numCount++;
  let numCurr = 0;
  let p = 0; // position in `number`
  let numIn = false;
  let out = '';
  const predecSpace = (): boolean => !isZero && p === 0 && number[0] === '0' && d.post !== 0;
  const lastIsDot = (): boolean => lastRelevant >= 0 && number[lastRelevant] === '.';
  const numpart = (isDigit: boolean): void => {
    if (!signWrote && (numCurr >= outPreSpaces || (isZero && d.zeroStart === numCurr)) && (!predecSpace() || lastIsDot())) {
      if (d.lsign !== null) {
        if (d.lsign === 'pre') { out += sign; signWrote = true; }
      } else if (d.bracket) { out += sign === '+' ? ' ' : '<'; signWrote = true; }
      else if (sign === '+') { if (!d.fill) out += ' '; signWrote = true; }
      else { out += '-'; signWrote = true; }
    }
    if (numCurr < outPreSpaces && (d.zeroStart > numCurr || !isZero)) {
      if (!d.fill) out += ' ';
    } else if (isZero && numCurr < outPreSpaces && d.zeroStart <= numCurr) {
      out += '0';
      numIn = true;
    } else {
      if (number[p] === '.') {
        if (!lastIsDot() || d.fill) out += '.';
      } else if (p >= number.length) {
        // Template decimal point with no fraction digits: PostgreSQL prints the point.
        if (!isDigit && !d.fill) out += '.';
      } else if (lastRelevant >= 0 && p > lastRelevant && !isZeroKey) {
        // trailing zero suppressed by FM
      } else if (predecSpace()) {
        if (!d.fill) out += ' ';
        else if (lastIsDot()) out += '0';
      } else {
        out += number[p]!;
        numIn = true;
      }
      if (p < number.length) p++;
    }
    let end = numCount + (outPreSpaces > 0 ? 1 : 0) + (d.decimal ? 1 : 0);
    if (lastRelevant >= 0 && lastRelevant === p) end = numCurr;
    if (numCurr + 1 === end) {
      if (signWrote && d.bracket) out += sign === '+' ? ' ' : '>';
      else if (d.lsign === 'post') out += sign;
    }
    numCurr++;
  };
  let isZeroKey = false;
  for (const n of d.nodes) {
    if (n.kind === 'char') { out += n.c; continue; }
    const k = n.key.toUpperCase();
    switch (k) {
      case '9': case '0': isZeroKey = k === '0'; numpart(true); break;
      case '.': case 'D': isZeroKey = false; numpart(false); break;
      case ',': case 'G':
        if (!numIn) { if (!d.fill) out += ' '; } else out += ',';
        break;
      case 'L': out += ' '; break;
      case 'MI': out += sign === '-' ? '-' : d.fill ? '' : ' '; break;
      case 'PL': out += sign === '+' ? '+' : d.fill ? '' : ' '; break;
      case 'SG': out += sign; break;
      case 'TH': case 'th': {
        if (negative || number.includes('#')) break;
        const suffix = ordinalSuffix(intValue);
        out += n.key === 'TH' ? suffix.toUpperCase() : suffix;
        break;
      }
      default: break;
    }
  }
  return out;
}

/** to_char(value, template) for a value given as a decimal string ("-12.5"), rounded as PostgreSQL does. */
export function formatNumericText(fmt: string, text: string, round: (post: number) => string): string {
  const d = parseNumFormat(fmt);
  if (d.eeee) return formatEeee(d, Number(text));
  let s = round(d.post + d.multi);
  if (d.multi > 0) {
    s = shiftLeft(s, d.multi);
    d.pre += d.multi;
  }
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  if (d.post === 0 && s.includes('.')) s = s.slice(0, s.indexOf('.'));
  const negativeShown = negative && /[1-9]/.test(s);
  const intValue = Number(s.split('.')[0]);
  return formatNumber(d, negativeShown, s, intValue);
}

function shiftLeft(s: string, by: number): string {
  const neg = s.startsWith('-');
  let body = neg ? s.slice(1) : s;
  let [i, f = ''] = body.split('.');
  f = f.padEnd(by, '0');
  i = (i! + f.slice(0, by)).replace(/^0+(?=\d)/, '');
  f = f.slice(by);
  body = f === '' ? i : `${i}.${f}`;
  return (neg ? '-' : '') + body;
}

function formatEeee(d: NumDesc, v: number): string {
  if (!Number.isFinite(v)) return ' ' + '#'.repeat(d.pre + d.post + 5);
  const e = v.toExponential(d.post);
  const [mant, exp] = e.split('e') as [string, string];
  const expNum = Number(exp);
  const expText = (expNum < 0 ? '-' : '+') + String(Math.abs(expNum)).padStart(2, '0');
  const body = (mant.startsWith('-') ? '-' : d.fill ? '' : ' ') + mant.replace('-', '') + 'e' + expText;
  return body;
}
