// Converts between decoded protobufjs messages and the proto3-JSON objects ControlApi speaks, driven only by
// reflection (https://protobuf.dev/programming-guides/json/): lowerCamelCase names, int64 as strings, enums by
// name, bytes as base64, and the well-known types' JSON forms. Knows no Artifact Registry message.
import protobuf from 'protobufjs';

type Obj = Record<string, unknown>;
/** A plain object `Type.encode` accepts (field names as in the descriptor, proto runtime values). */
export type ProtoObject = Obj;

const WKT = '.google.protobuf.';
const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue']);
const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export class ProtoJson {
  constructor(private readonly root: protobuf.Root) {}

  /** Decoded message → proto3 JSON (default-valued scalars and empty lists/maps omitted). */
  toJson(type: protobuf.Type, message: Obj): unknown {
    const wellKnown = type.fullName.startsWith(WKT) ? this.wellKnownToJson(type, message) : NOT_SPECIAL;
    if (wellKnown !== NOT_SPECIAL) return wellKnown;
    const out: Obj = {};
    for (const field of type.fieldsArray) {
      const value = has(message, field.name) ? message[field.name] : undefined;
      if (value === undefined || value === null) continue;
      const key = jsonName(field.name);
      if (field.map) {
        const entries = Object.entries(value as Obj);
        if (entries.length) out[key] = Object.fromEntries(entries.map(([k, v]) => [k, this.valueToJson(field, v)]));
      } else if (field.repeated) {
        const list = value as unknown[];
        if (list.length) out[key] = list.map((v) => this.valueToJson(field, v));
      } else if (field.partOf || field.resolvedType instanceof protobuf.Type || !isDefault(value)) {
        out[key] = this.valueToJson(field, value);
      }
    }
    return out;
  }

  /** proto3 JSON → an object for `type.encode`. Throws on values that do not fit the field. */
  fromJson(type: protobuf.Type, json: unknown, at = type.name): ProtoObject {
    if (type.fullName.startsWith(WKT)) {
      const wellKnown = this.wellKnownFromJson(type, json, at);
      if (wellKnown) return wellKnown;
    }
    if (!isPlainObject(json)) throw new TypeError(`${at}: expected an object for ${type.fullName}`);
    const out: ProtoObject = {};
    for (const field of type.fieldsArray) {
      const key = jsonName(field.name);
      const source = [key, field.name, snakeName(field.name)].find((k) => has(json, k));
      const value = source === undefined ? undefined : json[source];
      if (value === undefined || (value === null && !isNullValue(field))) continue;
      const path = `${at}.${key}`;
      if (field.map) {
        if (!isPlainObject(value)) throw new TypeError(`${path}: expected a map object`);
        out[field.name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.valueFromJson(field, v, `${path}.${k}`)]));
      } else if (field.repeated) {
        if (!Array.isArray(value)) throw new TypeError(`${path}: expected an array`);
        out[field.name] = value.map((v, i) => this.valueFromJson(field, v, `${path}[${i}]`));
      } else {
        out[field.name] = this.valueFromJson(field, value, path);
      }
    }
    return out;
  }

  /** Encodes a proto3-JSON object as the message type `typeName` (e.g. `google.rpc.Status`). */
  encode(typeName: string, json: unknown): Uint8Array {
    const type = this.root.lookupType(typeName);
    return type.encode(this.fromJson(type, json)).finish();
  }

  private valueToJson(field: protobuf.Field, value: unknown): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.toJson(resolved, value as Obj);
    if (resolved instanceof protobuf.Enum) {
      if (resolved.fullName === `${WKT}NullValue`) return null;
      return resolved.valuesById[value as number] ?? value;
    }
    return scalarToJson(field.type, value);
  }

  private valueFromJson(field: protobuf.Field, value: unknown, at: string): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.fromJson(resolved, value, at);
    if (resolved instanceof protobuf.Enum) return enumFromJson(resolved, value, at);
    return scalarFromJson(field.type, value, at);
  }

  private wellKnownToJson(type: protobuf.Type, m: Obj): unknown {
    const name = type.name;
    const f = (id: number) => fieldName(type, id);
    if (name === 'Timestamp') return formatTimestamp(Number(String(m[f(1)] ?? 0)), Number(m[f(2)] ?? 0));
    if (name === 'Duration') return formatDuration(String(m[f(1)] ?? 0), Number(m[f(2)] ?? 0));
    if (name === 'FieldMask') return [...((m[f(1)] as string[] | undefined) ?? [])];
    if (name === 'Empty') return {};
    if (WRAPPERS.has(name)) return this.valueToJson(type.fieldsById[1]!, m[f(1)] ?? type.fieldsById[1]!.typeDefault);
    if (name === 'Struct') {
      const fields = Object.entries((m[f(1)] as Record<string, Obj> | undefined) ?? {});
      return Object.fromEntries(fields.map(([k, v]) => [k, this.toJson(this.wkt('Value'), v)]));
    }
    if (name === 'ListValue') return ((m[f(1)] as Obj[] | undefined) ?? []).map((v) => this.toJson(this.wkt('Value'), v));
    if (name === 'Value') {
      const set = type.fieldsArray.find((field) => has(m, field.name) && m[field.name] != null);
      return set ? this.valueToJson(set, m[set.name]) : null;
    }
    if (name === 'Any') return this.anyToJson(String(m[f(1)] ?? ''), m[f(2)] as Uint8Array | undefined);
    return NOT_SPECIAL;
  }

  private anyToJson(typeUrl: string, value: Uint8Array | undefined): Obj {
    const packed = this.lookupAny(typeUrl);
    const bytes = value ?? new Uint8Array();
    if (!packed) return { '@type': typeUrl, value: Buffer.from(bytes).toString('base64') };
    const json = this.toJson(packed, packed.decode(bytes) as unknown as Obj);
    return hasSpecialJson(packed) ? { '@type': typeUrl, value: json } : { '@type': typeUrl, ...(json as Obj) };
  }

  private wellKnownFromJson(type: protobuf.Type, json: unknown, at: string): ProtoObject | undefined {
    const name = type.name;
    const f = (id: number) => fieldName(type, id);
    if (name === 'Timestamp') return isPlainObject(json) ? undefined : parseTimestamp(json, at, f);
    if (name === 'Duration') return isPlainObject(json) ? undefined : parseDuration(json, at, f);
    if (name === 'FieldMask') {
      if (isPlainObject(json)) return undefined;
      const paths = typeof json === 'string' ? json.split(',').filter(Boolean) : json;
      if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw new TypeError(`${at}: expected FieldMask paths`);
      return { [f(1)]: paths };
    }
    if (WRAPPERS.has(name)) return { [f(1)]: this.valueFromJson(type.fieldsById[1]!, json, at) };
    if (name === 'Struct') {
      if (!isPlainObject(json)) throw new TypeError(`${at}: expected an object for Struct`);
      return { [f(1)]: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, this.fromJson(this.wkt('Value'), v, `${at}.${k}`)])) };
    }
    if (name === 'ListValue') {
      if (!Array.isArray(json)) throw new TypeError(`${at}: expected an array for ListValue`);
      return { [f(1)]: json.map((v, i) => this.fromJson(this.wkt('Value'), v, `${at}[${i}]`)) };
    }
    if (name === 'Value') return this.valueMessage(type, json, at);
    if (name === 'Any') return this.anyFromJson(type, json, at);
    return undefined;
  }

  private valueMessage(type: protobuf.Type, json: unknown, at: string): ProtoObject {
    const f = (id: number) => fieldName(type, id);
    if (json === null) return { [f(1)]: 0 };
    if (typeof json === 'number') return { [f(2)]: json };
    if (typeof json === 'string') return { [f(3)]: json };
    if (typeof json === 'boolean') return { [f(4)]: json };
    if (Array.isArray(json)) return { [f(6)]: this.fromJson(this.wkt('ListValue'), json, at) };
    if (isPlainObject(json)) return { [f(5)]: this.fromJson(this.wkt('Struct'), json, at) };
    throw new TypeError(`${at}: ${typeof json} is not a JSON value`);
  }

  private anyFromJson(type: protobuf.Type, json: unknown, at: string): ProtoObject {
    if (!isPlainObject(json) || typeof json['@type'] !== 'string') throw new TypeError(`${at}: expected an Any with "@type"`);
    const { '@type': typeUrl, ...rest } = json as Obj & { '@type': string };
    const packed = this.lookupAny(typeUrl);
    if (!packed) throw new TypeError(`${at}: unknown Any type ${typeUrl}`);
    const inner = hasSpecialJson(packed) ? rest.value : rest;
    const value = packed.encode(this.fromJson(packed, inner, `${at}<${packed.name}>`)).finish();
    return { [fieldName(type, 1)]: typeUrl, [fieldName(type, 2)]: value };
  }

  private lookupAny(typeUrl: string): protobuf.Type | undefined {
    const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const found = name ? this.root.lookup(name) : null;
    return found instanceof protobuf.Type ? found : undefined;
  }

  private wkt(name: string): protobuf.Type {
    return this.root.lookupType(`google.protobuf.${name}`);
  }
}

const NOT_SPECIAL = Symbol('not a well-known type');

function hasSpecialJson(type: protobuf.Type): boolean {
  return type.fullName.startsWith(WKT) && (['Timestamp', 'Duration', 'FieldMask', 'Struct', 'ListValue', 'Value'].includes(type.name) || WRAPPERS.has(type.name));
}

function fieldName(type: protobuf.Type, id: number): string {
  const field = type.fieldsById[id];
  if (!field) throw new Error(`${type.fullName} has no field ${id}`);
  return field.name;
}

/** lowerCamelCase JSON name of a proto field (descriptors from protos.json are mostly camelCase already). */
export function jsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The proto field name JSON parsers also accept (descriptors loaded from protos.json are camelCased). */
function snakeName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

function isNullValue(field: protobuf.Field): boolean {
  return field.resolvedType?.fullName === `${WKT}Value` || field.resolvedType?.fullName === `${WKT}NullValue`;
}

function isDefault(v: unknown): boolean {
  if (v === '' || v === 0 || v === false) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  return typeof v === 'object' && v !== null && 'low' in v && 'high' in v && v.low === 0 && v.high === 0;
}

function scalarToJson(type: string, v: unknown): unknown {
  if (LONGS.has(type)) return String(v);
  if (type === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if ((type === 'double' || type === 'float') && typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

function scalarFromJson(type: string, v: unknown, at: string): unknown {
  const fail = () => new TypeError(`${at}: ${JSON.stringify(v)} is not a valid ${type}`);
  if (type === 'string') {
    if (typeof v !== 'string') throw fail();
    return v;
  }
  if (type === 'bool') {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw fail();
  }
  if (type === 'bytes') {
    if (v instanceof Uint8Array) return v;
    if (typeof v !== 'string') throw fail();
    return Buffer.from(v, 'base64');
  }
  if (LONGS.has(type)) {
    const s = typeof v === 'bigint' || typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || !/^-?\d+$/.test(s)) throw fail();
    return s;
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || (Number.isNaN(n) && v !== 'NaN')) throw fail();
  if (type !== 'double' && type !== 'float' && !Number.isInteger(n)) throw fail();
  return n;
}

function enumFromJson(e: protobuf.Enum, v: unknown, at: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (v === null && e.fullName === `${WKT}NullValue`) return 0;
  if (typeof v === 'string') {
    const exact = e.values[v];
    if (exact !== undefined) return exact;
    const upper = v.toUpperCase();
    const loose = Object.entries(e.values).find(([name]) => name.toUpperCase() === upper);
    if (loose) return loose[1];
  }
  throw new TypeError(`${at}: ${JSON.stringify(v)} is not a value of ${e.fullName}`);
}

function fraction(nanos: number): string {
  if (!nanos) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1_000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as Google's JSON mapping prints it. */
export function formatTimestamp(seconds: number, nanos: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction(nanos)}Z`;
}

function formatDuration(seconds: string, nanos: number): string {
  const negative = seconds.startsWith('-') || nanos < 0;
  return `${negative ? '-' : ''}${seconds.replace(/^-/, '')}${fraction(Math.abs(nanos))}s`;
}

function parseTimestamp(v: unknown, at: string, f: (id: number) => string): ProtoObject {
  if (v instanceof Date) return { [f(1)]: String(Math.floor(v.getTime() / 1000)), [f(2)]: (v.getTime() % 1000 + 1000) % 1000 * 1e6 };
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3]!.toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new TypeError(`${at}: ${JSON.stringify(v)} is not an RFC 3339 timestamp`);
  return { [f(1)]: String(ms / 1000), [f(2)]: Number((m[2] ?? '').padEnd(9, '0')) };
}

function parseDuration(v: unknown, at: string, f: (id: number) => string): ProtoObject {
  const m = typeof v === 'string' ? DURATION.exec(v) : null;
  if (!m) throw new TypeError(`${at}: ${JSON.stringify(v)} is not a duration like "3.5s"`);
  const sign = m[1] ? -1 : 1;
  return { [f(1)]: `${m[1] ?? ''}${m[2]}`, [f(2)]: sign * Number((m[3] ?? '').padEnd(9, '0')) };
}
