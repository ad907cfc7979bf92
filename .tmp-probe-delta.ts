// Probe (not committed): RU and pages of a first groups delta round with members and owners inline.
import { generateTenant } from './src/emulator/generator.ts';
import { testTenant } from './src/emulator/testing.ts';
import { group } from './src/kinds/group.ts';
import { user } from './src/kinds/user.ts';
const users = Number(process.argv[2] ?? 10000);
const dir = generateTenant({ seed: 8, users });
const t = testTenant(dir);
async function round(first: string) {
  let url: string | undefined = first; let pages = 0; let ru = 0; let objs = 0;
  while (url) {
    const res = await t.call('GET', url.replace(/^https?:\/\/[^/]+/, ''));
    const body = await res.json() as Record<string, unknown>;
    if (res.status !== 200) { console.log(res.status, JSON.stringify(body).slice(0, 300)); return; }
    pages++; ru += Number(res.headers.get('x-ms-resource-unit')); objs += (body.value as unknown[]).length;
    url = body['@odata.nextLink'] as string | undefined;
  }
  return { pages, ru, objs };
}
console.log('members', dir.links.members.size, 'groups', dir.collections.groups.size);
console.log('groups delta members+owners', await round(`/v1.0/groups/delta?$select=${group.select.join(',')},members,owners`));
console.log('users delta manager', await round(`/v1.0/users/delta?$select=${user.select.join(',')},manager`));
