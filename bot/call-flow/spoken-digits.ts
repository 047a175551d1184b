/**
 * A digit string as a caller should hear it read back: one digit at a time (a text-to-speech voice
 * reads "12345678" as twelve million ...), in groups of three or four split by commas, where the
 * voice pauses, so that a long number can be checked against a bill or an email the way people say
 * them: 3-3-4 for ten digits, 4-4 for eight, 3-4 for seven. Five digits or fewer stay one group.
 * Anything that is not all digits is returned unchanged.
 */
export function spokenDigits(digits: string): string {
  if (!/^[0-9]+$/.test(digits)) return digits;
  const count = digits.length;
  const groups = count <= 5 ? 1 : Math.ceil(count / 4);
  const parts: string[] = [];
  let from = 0;
  for (let g = 0; g < groups; g += 1) {
    // Shorter groups first: the remainder goes to the last ones.
    const size = Math.floor(count / groups) + (g >= groups - (count % groups) ? 1 : 0);
    parts.push(digits.slice(from, from + size).split('').join(' '));
    from += size;
  }
  return parts.join(', ');
}
