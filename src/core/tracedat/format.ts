// Event format descriptions as the kernel writes them in events/<system>/<event>/format, and the ring-buffer
// page header (events/header_page). Parsed the way libtraceevent's event-parse.c reads them.

export interface FormatField {
  name: string;
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  isArray: boolean;
  /** __data_loc / __rel_loc: the field holds (len << 16 | offset) of data stored after the fixed part. */
  isDynamic: boolean;
  isRelative: boolean;
  isString: boolean;
  isPointer: boolean;
  isLong: boolean;
  /** Size of one element for arrays (size / length), else size. */
  elementSize: number;
}

export interface EventFormat {
  id: number;
  name: string;
  system: string;
  commonFields: FormatField[];
  fields: FormatField[];
  /** Text after "print fmt: ", or null when the description has none. */
  printFmt: string | null;
}

const FIELD_RE = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(\d+);)?/;

export function parseField(line: string): FormatField | null {
  const m = FIELD_RE.exec(line);
  if (!m) return null;
  let decl = m[1].trim();
  const offset = Number(m[2]);
  const size = Number(m[3]);
  const signed = m[4] === '1';
  let isDynamic = false;
  let isRelative = false;
  if (decl.startsWith('__data_loc ')) {
    isDynamic = true;
    decl = decl.slice(11).trim();
  } else if (decl.startsWith('__rel_loc ')) {
    isDynamic = true;
    isRelative = true;
    decl = decl.slice(10).trim();
  }
  let arrayLen: number | null = null;
  let isArray = false;
  // "char comm[16]", "__data_loc char[] name", "unsigned long caller[8]"
  const arr = /\[(\w*)\]/.exec(decl);
  if (arr) {
    isArray = true;
    arrayLen = arr[1] === '' ? null : Number(arr[1]);
    decl = (decl.slice(0, arr.index) + decl.slice(arr.index + arr[0].length)).trim();
  }
  const nameMatch = /([A-Za-z_]\w*)\s*$/.exec(decl);
  if (!nameMatch) return null;
  const name = nameMatch[1];
  const type = decl.slice(0, nameMatch.index).trim();
  const isPointer = type.endsWith('*');
  const base = type.replace(/\s+/g, ' ');
  const isLong = base === 'long' || base === 'unsigned long';
  const isString = isArray && /\bchar\b/.test(type);
  let elementSize = size;
  if (isArray && arrayLen) elementSize = Math.floor(size / arrayLen);
  else if (isDynamic) elementSize = elementSizeOf(type);
  return { name, type, offset, size, signed, isArray, isDynamic, isRelative, isString, isPointer, isLong, elementSize };
}

function elementSizeOf(type: string): number {
  const t = type.replace(/\s+/g, ' ');
  if (/\bchar\b|u8|s8|bool/.test(t)) return 1;
  if (/\bshort\b|u16|s16/.test(t)) return 2;
  if (/long long|u64|s64/.test(t)) return 8;
  if (/\bint\b|u32|s32|unsigned$/.test(t)) return 4;
  return 0;
}

/** Reads only name and ID, so the thousands of formats a file carries cost nothing until an event uses one. */
export function peekNameAndId(text: string): { name: string; id: number } | null {
  const name = /^name:\s*(\S+)/m.exec(text);
  const id = /^ID:\s*(\d+)/m.exec(text);
  if (!name || !id) return null;
  return { name: name[1], id: Number(id[1]) };
}

export function parseEventFormat(text: string, system: string): EventFormat | null {
  const head = peekNameAndId(text);
  if (!head) return null;
  const commonFields: FormatField[] = [];
  const fields: FormatField[] = [];
  let printFmt: string | null = null;
  let inCommon = true;
  for (const line of text.split('\n')) {
    if (line.startsWith('print fmt:')) {
      printFmt = line.slice('print fmt:'.length).trim();
      continue;
    }
    if (line.trim() === '') {
      // a blank line separates the common fields from the event's own
      if (commonFields.length > 0) inCommon = false;
      continue;
    }
    const f = parseField(line);
    if (!f) continue;
    if (inCommon && f.name.startsWith('common_')) commonFields.push(f);
    else {
      inCommon = false;
      fields.push(f);
    }
  }
  return { id: head.id, name: head.name, system, commonFields, fields, printFmt };
}

export interface PageHeaderLayout {
  /** Size of the "commit" word: the kernel's long. */
  commitSize: number;
  /** Offset of the event data in a page: 8 + commitSize. */
  dataOffset: number;
  timestampSize: number;
}

export function parseHeaderPage(text: string, fallbackLongSize: number): PageHeaderLayout {
  let commitSize = fallbackLongSize;
  let dataOffset = 8 + fallbackLongSize;
  let timestampSize = 8;
  for (const line of text.split('\n')) {
    const f = parseField(line);
    if (!f) continue;
    if (f.name === 'commit') commitSize = f.size;
    else if (f.name === 'data') dataOffset = f.offset;
    else if (f.name === 'timestamp') timestampSize = f.size;
  }
  return { commitSize, dataOffset, timestampSize };
}
