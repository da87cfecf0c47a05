/**
 * Java's `Double.toString` and `Long.toString`, which the plugin uses to build rollup and transform document
 * ids from bucket keys and Jackson uses to write double values: `1.0`, `2.5E-4`, `1.0E7`.
 */
export const javaDoubleToString = (d: number): string => {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = d.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
};

export const javaLongToString = (n: number): string =>
  Number.isInteger(n) ? String(n) : String(Math.trunc(n));
