// Fake credentials built at run time, so no file in the repository looks like a leak.
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export function fakeAwsKeyId() {
  let s = 'AKIA';
  for (let i = 0; i < 16; i++) s += B32[Math.floor(Math.random() * 32)];
  return s;
}
