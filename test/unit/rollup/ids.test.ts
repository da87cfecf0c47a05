import { hashToFixedSize } from '../../../lambdas/rollup/runner/murmur3';
import { javaDoubleToString } from '../../../lambdas/rollup/runner/java-number';

/**
 * Rollup document ids must be the plugin's, so that a job moved from the plugin to us (or the
 * other way) overwrites its own documents. Expected values were computed with OpenSearch 2.19's
 * own `MurmurHash3.hash128` + `Base64.getUrlEncoder().withoutPadding()`, seed 72390.
 */
describe('rollup document ids', () => {
  it.each([
    ['nyc#1546300800000#132', 'LAglHm4h1gmx6-KXMTiMaQ'],
    ['job#1546300800000#ODFE-MAGIC-NULL-MAGIC-ODFE', 'tyMAwuATTDLNnpXcHpnVzg'],
    ['', 'SitS-vdGdFHz6D8iR0ZjZA'],
    ['a', 'Rw3ZtWQ2-JocxyhfL70x4Q'],
    ['rollup-job#1700000000000#abc#2.5E-4#1.0E7', '6_5MN31yR6TGfcuPhn47cw'],
    ['ünïcode#日本#1', 'bCwieBGWMEX1TSeUvTgmKQ'],
    ['0123456789abcdef0123456789abcdefX', 'q7XQccpPM1HhKHO-JuoiHg'],
  ])('hashes %j as the plugin does', (source, id) => {
    expect(hashToFixedSize(source)).toBe(id);
  });

  it.each([
    [1, '1.0'],
    [2.5e-4, '2.5E-4'],
    [1e7, '1.0E7'],
    [0.001, '0.001'],
    [123456.789, '123456.789'],
    [9999999, '9999999.0'],
    [1e21, '1.0E21'],
    [100, '100.0'],
    [-0.5, '-0.5'],
    [1e-7, '1.0E-7'],
    [0.1 + 0.2, '0.30000000000000004'],
  ])('renders the double %p as Java does: %s', (value, text) => {
    expect(javaDoubleToString(value)).toBe(text);
  });
});
