import { spokenDigits } from '../../bot/call-flow/spoken-digits.js';

describe('reading digits back to a caller', () => {
  it('reads each digit on its own, in the groups people say numbers in', () => {
    expect(spokenDigits('1000000001')).toBe('1 0 0, 0 0 0, 0 0 0 1');
    expect(spokenDigits('12345678')).toBe('1 2 3 4, 5 6 7 8');
    expect(spokenDigits('1234567')).toBe('1 2 3, 4 5 6 7');
    expect(spokenDigits('123456')).toBe('1 2 3, 4 5 6');
    expect(spokenDigits('123456789')).toBe('1 2 3, 4 5 6, 7 8 9');
    expect(spokenDigits('4111111111111111')).toBe('4 1 1 1, 1 1 1 1, 1 1 1 1, 1 1 1 1');
  });

  it('keeps a short number as one group, and leaves anything that is not digits alone', () => {
    expect(spokenDigits('4321')).toBe('4 3 2 1');
    expect(spokenDigits('90210')).toBe('9 0 2 1 0');
    expect(spokenDigits('7')).toBe('7');
    expect(spokenDigits('AB-123')).toBe('AB-123');
    expect(spokenDigits('')).toBe('');
  });
});
