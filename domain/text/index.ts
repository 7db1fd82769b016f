// The one check of the characters a person's text may hold: run by the edge on the plain text before it is
// encrypted (intake and every command) and by the core wherever it still sees plain text. Pure: no I/O.
//
// Refused, and why (docs/security-text.md lists the same set):
// - control characters: C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F. PostgreSQL refuses NUL, and the
//   others have no meaning in a name or a note. Tab, line feed and carriage return are allowed in free
//   text (a clerk's notes have lines), never in a name.
// - bidirectional controls: U+202A–U+202E (embeddings and overrides), U+2066–U+2069 (isolates), U+200E,
//   U+200F (LRM, RLM) and U+061C (ALM). They reorder what the console shows: "公司某" with U+202E reads
//   "某司公", and a reversed name or amount misleads whoever reads it.
// - invisible format characters: U+00AD (soft hyphen), U+200B–U+200D (zero-width space, non-joiner,
//   joiner), U+2028, U+2029 (line and paragraph separators, which break lines differently in every viewer),
//   U+2060–U+2064 (word joiner, invisible operators), U+206A–U+206F (deprecated format controls), U+FEFF
//   (zero-width no-break space / BOM), U+FFF9–U+FFFB (interlinear annotation), U+E0001 and U+E0020–U+E007F
//   (tag characters). They make two names that look the same differ (a duplicate check or a search misses
//   them) and can hide text from whoever reads it.
// - an unpaired surrogate: it has no UTF-8 form, so encryption would silently turn it into U+FFFD.
//
// Kept on purpose: variation selectors (U+FE00–U+FE0F and the ideographic variation sequences
// U+E0100–U+E01EF), which choose the glyph of a CJK character in a person's name; and the Mongolian
// free variation selectors (U+180B–U+180F), which Mongolian script needs.

/** A name (of a person, an enterprise, a place): one line, nothing invisible. Free text: lines allowed. */
export type TextKind = 'name' | 'free';

/** What free text may hold beyond the visible characters. Names have no policy: the refused set is fixed. */
export interface FreeTextPolicy {
  /** Refused code points that free text may nevertheless hold. */
  readonly allow: ReadonlySet<number>;
}

/** Tab, line feed and carriage return: a note has lines. */
export const DEFAULT_FREE_TEXT_POLICY: FreeTextPolicy = { allow: new Set([0x09, 0x0a, 0x0d]) };

export type TextProblemKind = 'control' | 'bidi' | 'invisible' | 'surrogate';

export interface TextProblem {
  kind: TextProblemKind;
  /** The first refused code point, e.g. "U+202E". */
  codePoint: string;
  /** Its index in the string (UTF-16 units). */
  index: number;
}

type Range = readonly [number, number];

/** The refused code points by kind, as inclusive ranges (the unit test walks every one). */
export const REFUSED_RANGES: Readonly<Record<Exclude<TextProblemKind, 'surrogate'>, readonly Range[]>> = {
  control: [
    [0x0000, 0x001f],
    [0x007f, 0x009f],
  ],
  bidi: [
    [0x061c, 0x061c],
    [0x200e, 0x200f],
    [0x202a, 0x202e],
    [0x2066, 0x2069],
  ],
  invisible: [
    [0x00ad, 0x00ad],
    [0x200b, 0x200d],
    [0x2028, 0x2029],
    [0x2060, 0x2064],
    [0x206a, 0x206f],
    [0xfeff, 0xfeff],
    [0xfff9, 0xfffb],
    [0xe0001, 0xe0001],
    [0xe0020, 0xe007f],
  ],
};

const RANGES = (Object.entries(REFUSED_RANGES) as [TextProblemKind, readonly Range[]][]).flatMap(([kind, ranges]) => ranges.map((r) => ({ kind, from: r[0], to: r[1] })));

function u(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Two regular expressions per policy, for the refused ranges less what the policy allows. `exact` (u flag)
 * finds the first refused code point; a lone surrogate matches it, a pair does not. `quick` (no u flag, a
 * tenth of the time on long Chinese text) says whether there can be one: the BMP ranges and any surrogate,
 * which rules out almost every text at once.
 */
function refusedPatterns(allow: ReadonlySet<number>): { quick: RegExp; exact: RegExp } {
  const parts: string[] = [];
  const bmp: string[] = [];
  const hex4 = (cp: number) => `\\u${cp.toString(16).padStart(4, '0')}`;
  for (const { from, to } of RANGES) {
    let start = from;
    for (let cp = from; cp <= to + 1; cp++) {
      if (cp <= to && !allow.has(cp)) continue;
      if (start < cp) {
        parts.push(start === cp - 1 ? u(start) : `${u(start)}-${u(cp - 1)}`);
        if (start <= 0xffff) bmp.push(`${hex4(start)}-${hex4(cp - 1)}`);
      }
      start = cp + 1;
    }
  }
  return { quick: new RegExp(`[${bmp.join('')}\\uD800-\\uDFFF]`), exact: new RegExp(`[${parts.join('')}\\uD800-\\uDFFF]`, 'u') };
}

const NAME_PATTERNS = refusedPatterns(new Set());
const patterns = new WeakMap<FreeTextPolicy, { quick: RegExp; exact: RegExp }>();

export const codePointLabel = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

function kindOf(cp: number): TextProblemKind {
  if (cp >= 0xd800 && cp <= 0xdfff) return 'surrogate';
  return RANGES.find((r) => cp >= r.from && cp <= r.to)!.kind;
}

/**
 * The first character this text may not hold, or null. Names refuse the whole set; free text refuses it
 * but for what the policy allows (by default tab, line feed and carriage return).
 */
export function textProblem(text: string, kind: TextKind, policy: FreeTextPolicy = DEFAULT_FREE_TEXT_POLICY): TextProblem | null {
  let pattern = NAME_PATTERNS;
  if (kind === 'free') {
    pattern = patterns.get(policy) ?? refusedPatterns(policy.allow);
    patterns.set(policy, pattern);
  }
  if (!pattern.quick.test(text)) return null;
  const found = pattern.exact.exec(text);
  if (!found) return null;
  const cp = found[0].codePointAt(0)!;
  return { kind: kindOf(cp), codePoint: codePointLabel(cp), index: found.index };
}

/** A field's refused character, with the field's path (for a message naming it). */
export interface TextFieldProblem extends TextProblem {
  field: string;
}

/**
 * Every string in `value` checked by textProblem: as free text where `isFreeText(path)` says so (the schemas
 * know which fields are notes), as a name everywhere else; what `skip` says holds no text is passed over.
 * One problem per field, in the order found.
 */
export function textFieldProblems(
  value: unknown,
  isFreeText: (path: readonly (string | number)[]) => boolean,
  policy: FreeTextPolicy = DEFAULT_FREE_TEXT_POLICY,
  path: readonly (string | number)[] = [],
  skip: (value: unknown) => boolean = () => false,
): TextFieldProblem[] {
  if (skip(value)) return [];
  if (typeof value === 'string') {
    const problem = textProblem(value, isFreeText(path) ? 'free' : 'name', policy);
    return problem ? [{ field: path.map(String).join('.') || '(body)', ...problem }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => textFieldProblems(item, isFreeText, policy, [...path, i], skip));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => textFieldProblems(item, isFreeText, policy, [...path, key], skip));
  }
  return [];
}

/** The message key of a problem's kind (domain/case/messages.ts words each one). */
export const textProblemKey = {
  control: 'text.control-character',
  bidi: 'text.bidi-control',
  invisible: 'text.invisible-character',
  surrogate: 'text.unpaired-surrogate',
} as const satisfies Record<TextProblemKind, string>;
