// fast-check arbitraries shared by the snapshot format's property tests (serialize, the fast
// reader, the fast writer). Test-only.
import fc from 'fast-check';

/** Numbers whose text forms trip writers and readers: -0, exponents, the float limits, unsafe
 * integers, binary fractions. */
const AWKWARD_NUMBERS = [-0, 0, 1e21, -1e21, 5e-7, -1e-7, 1.5e300, 1e-300, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 0.1 + 0.2, 1.5, -2.25, Number.MIN_VALUE];

/** JSON data a few levels deep: null, booleans, numbers (any double, and the awkward ones),
 * strings from `str`, arrays, and maps keyed by `key`. */
export function jsonValue(str: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(...AWKWARD_NUMBERS),
      str,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).value;
}

/** GUID-shaped strings: mostly lowercase GUIDs (all digits and exponent-like ones among them),
 * sometimes with an uppercase digit or one character a GUID never holds, so that code telling
 * GUIDs by character codes meets the near misses. */
export function nearGuid(): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { arbitrary: fc.constantFrom('0', '1', '7', '9', 'a', 'e', 'f'), weight: 60 },
    { arbitrary: fc.constantFrom('A', 'E', 'F'), weight: 1 },
    { arbitrary: fc.constantFrom('g', '.', ':', '#', ' ', '-', '_', 'x', 'é', '\t'), weight: 1 },
  );
  const part = (n: number) => fc.string({ unit, minLength: n, maxLength: n });
  return fc.oneof(fc.tuple(part(8), part(4), part(4), part(4), part(12)).map((p) => p.join('-')), fc.uuid());
}
