// Generates tzdata.ts, the IANA time zone table of the time builtins, from the system's tzdata.zi.
//
// Usage: node src/wasm-runtime/builtins/generate-tzdata.mjs [/usr/share/zoneinfo]
// Needs zic (tzdata's compiler). Each zone is compiled with `zic -b slim`, so the table keeps every
// transition up to the zone's last rule change and the POSIX TZ rule that covers everything after it,
// exactly the data Go's time.LoadLocation reads.
//
// Distributions often build tzdata.zi with `backzone`, which keeps pre-1970 history for zones that the
// standard data (and therefore Go's embedded copy) folds into a link, e.g. Europe/Oslo → Europe/Berlin.
// Such a zone is turned back into that link: a zone missing from zone1970.tab becomes a link to the
// zone1970.tab zone that covers its country and agrees with it from 1970 on.
//
// Layout of the blob (all integers little-endian):
//   u16 zone count Z, u16 name count N
//   N × (u32 name offset, u16 zone index)           names sorted bytewise, links included
//   Z × u32 zone record offset
//   names: NUL-terminated UTF-8
//   zone records:
//     u8 type count T, then T × (i32 UT offset, u8 is-DST, u8 abbreviation offset)
//     u8 abbreviation bytes A, then A bytes (NUL-separated)
//     u8 index of the type in force before the first transition (Go's lookupFirstZone)
//     u16 transition count X, then X varints (7 bits a byte, low first), one per transition:
//       bits 0-1 the unit of the time delta (0 = seconds, 1 = minutes, 2 = hours), bits 2-6 the type,
//       the rest the zigzag-encoded delta from the previous transition (from 0 for the first) in that unit
//     u8 footer length F, then F bytes of the POSIX TZ string (empty when the zone has none)

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const zoneinfo = process.argv[2] ?? "/usr/share/zoneinfo";
const source = join(zoneinfo, "tzdata.zi");
const text = readFileSync(source, "utf8");
const version = /^# version (\S+)/m.exec(text)?.[1] ?? "unknown";
const zones = [];
const links = [];
for (const line of text.split("\n")) {
  const f = line.split(/\s+/);
  if (f[0] === "Z") zones.push(f[1]);
  if (f[0] === "L") links.push([f[1], f[2]]);
}
zones.sort();

const dir = mkdtempSync(join(tmpdir(), "tzdata-"));
execFileSync("zic", ["-b", "slim", "-d", dir, source]);

// Zones of the standard data and the countries they cover; the country of every zone.
const tab = (file) => readFileSync(join(zoneinfo, file), "utf8").split("\n").filter((l) => l && !l.startsWith("#"))
  .map((l) => l.split("\t"));
const standard = new Map(tab("zone1970.tab").map((f) => [f[2], f[0].split(",")]));
const countryOf = new Map(tab("zone.tab").map((f) => [f[2], f[0]]));

function readTZif(path) {
  const b = readFileSync(path);
  if (b.toString("latin1", 0, 4) !== "TZif") throw new Error(`${path}: not TZif`);
  const header = (o) => [0, 1, 2, 3, 4, 5].map((i) => b.readUInt32BE(o + 20 + i * 4));
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = header(0);
  let o = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
  [isut, isstd, leap, timecnt, typecnt, charcnt] = header(o);
  o += 44;
  const times = [];
  for (let i = 0; i < timecnt; i++) times.push(b.readBigInt64BE(o + i * 8));
  o += timecnt * 8;
  const index = [...b.subarray(o, o + timecnt)];
  o += timecnt;
  const types = [];
  for (let i = 0; i < typecnt; i++) {
    types.push({ off: b.readInt32BE(o + i * 6), dst: b[o + i * 6 + 4], abbr: b[o + i * 6 + 5] });
  }
  o += typecnt * 6;
  const chars = b.subarray(o, o + charcnt);
  o += charcnt + leap * 12 + isstd + isut;
  const footer = b.toString("latin1", o).replace(/^\n|\n$/g, "");
  return { times, index, types, chars, footer };
}

/** Go's lookupFirstZone: the type in force before the first transition. */
function firstZone({ times, index, types }) {
  const used = new Set(index);
  if (!used.has(0)) return 0;
  if (times.length > 0 && types[index[0]].dst) {
    for (let z = index[0] - 1; z >= 0; z--) if (!types[z].dst) return z;
  }
  for (let z = 0; z < types.length; z++) if (!types[z].dst) return z;
  return 0;
}

function varint(out, v) {
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
}

/** What a zone does from 1970 on: its offsets and abbreviations at each transition, and its rule. */
function since1970(z) {
  const parts = [];
  let current = z.index.length && z.times[0] <= 0n ? z.index[z.times.findLastIndex((t) => t <= 0n)] : firstZone(z);
  const describe = (i) => `${z.types[i].off}/${z.types[i].dst}/${z.chars.toString("latin1", z.types[i].abbr).split("\0")[0]}`;
  parts.push(describe(current));
  z.times.forEach((t, i) => { if (t > 0n) parts.push(`${t}:${describe(z.index[i])}`); });
  parts.push(z.footer);
  return parts.join(" ");
}

const data = new Map(zones.map((name) => [name, readTZif(join(dir, name))]));
const folded = new Map();
for (const name of zones) {
  if (standard.has(name) || !countryOf.has(name)) continue;
  const signature = since1970(data.get(name));
  for (const [target, countries] of standard) {
    if (countries.includes(countryOf.get(name)) && since1970(data.get(target)) === signature) {
      folded.set(name, target);
      break;
    }
  }
}
for (const [name, target] of folded) {
  zones.splice(zones.indexOf(name), 1);
  links.push([target, name]);
}

const records = [];
for (const name of zones) {
  const z = data.get(name);
  const r = [];
  r.push(z.types.length);
  for (const t of z.types) {
    const off = t.off >>> 0;
    r.push(off & 255, (off >> 8) & 255, (off >> 16) & 255, (off >>> 24) & 255, t.dst, t.abbr);
  }
  if (z.chars.length > 255) throw new Error(`${name}: too many abbreviation bytes`);
  r.push(z.chars.length, ...z.chars);
  r.push(firstZone(z));
  r.push(z.times.length & 255, z.times.length >> 8);
  let previous = 0n;
  z.times.forEach((t, i) => {
    const delta = t - previous;
    previous = t;
    const unit = delta % 3600n === 0n ? 2n : delta % 60n === 0n ? 1n : 0n;
    const scaled = delta / [1n, 60n, 3600n][Number(unit)];
    const zigzag = scaled < 0n ? ((-scaled) << 1n) - 1n : scaled << 1n;
    if (z.index[i] >= 32) throw new Error(`${name}: more than 32 types`);
    varint(r, (zigzag << 7n) | (BigInt(z.index[i]) << 2n) | unit);
  });
  const footer = Buffer.from(z.footer, "latin1");
  r.push(footer.length, ...footer);
  records.push(r);
}
rmSync(dir, { recursive: true });

const zoneIndex = new Map(zones.map((z, i) => [z, i]));
const names = [...zones.map((z) => [z, zoneIndex.get(z)])];
for (const [target, link] of links) {
  const resolved = folded.get(target) ?? target;
  if (!zoneIndex.has(resolved)) throw new Error(`link ${link} to unknown ${target}`);
  names.push([link, zoneIndex.get(resolved)]);
}
names.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));

const head = 4 + names.length * 6 + zones.length * 4;
const nameBytes = [];
const nameOffsets = [];
for (const [n] of names) {
  nameOffsets.push(head + nameBytes.length);
  nameBytes.push(...Buffer.from(n, "utf8"), 0);
}
let recordOffset = head + nameBytes.length;
const recordOffsets = [];
for (const r of records) {
  recordOffsets.push(recordOffset);
  recordOffset += r.length;
}
const blob = [];
const u16 = (v) => blob.push(v & 255, v >> 8);
const u32 = (v) => blob.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
u16(zones.length);
u16(names.length);
names.forEach(([, zone], i) => {
  u32(nameOffsets[i]);
  u16(zone);
});
recordOffsets.forEach(u32);
blob.push(...nameBytes);
for (const r of records) blob.push(...r);

const lines = [];
for (let i = 0; i < blob.length; i += 32) lines.push("  " + blob.slice(i, i + 32).join(",") + ",");
const out = `// The IANA time zone database (version ${version}) for the time builtins; generated, do not edit.
//
// Regenerate with \`node src/wasm-runtime/builtins/generate-tzdata.mjs\`, which documents the layout.
// ${zones.length} zones, ${names.length} names, ${blob.length} bytes.

/** The zone table blob (layout in generate-tzdata.mjs). */
export const TZDATA: usize = memory.data<u8>([
${lines.join("\n")}
]);
`;
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), "tzdata.ts"), out);
console.log(`tzdata.ts: ${zones.length} zones (${folded.size} folded into links), ${names.length} names, ${blob.length} bytes (tzdata ${version})`);
