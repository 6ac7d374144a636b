// Order ids are `<till>-<uuid v7>`: the uuid starts with a timestamp shared by orders of the same
// minute and ends with random digits. Narrow places show the start and the distinctive end.
export function shortId(id: string, max = 22): string {
  if (id.length <= max) return id;
  const tail = 6;
  return `${id.slice(0, max - tail - 1)}…${id.slice(-tail)}`;
}
