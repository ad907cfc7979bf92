// Generates a realistic tenant, deterministically from a seed (minimal first version).
import { Rng } from './rng.ts';
import { Directory } from './store/directory.ts';

export interface GenerateOptions {
  seed: number;
  users: number;
  groups?: number;
  apps?: number;
  policies?: number;
}

export function generateTenant(options: GenerateOptions): Directory {
  const rng = new Rng(options.seed);
  const dir = new Directory(rng.guid(), `contoso${options.seed}.onmicrosoft.com`);
  for (let i = 0; i < options.users; i++) {
    dir.insert('users', {
      id: rng.guid(),
      '@odata.type': '#microsoft.graph.user',
      displayName: `User ${i}`,
      userPrincipalName: `user${i}@${dir.defaultDomain}`,
      mailNickname: `user${i}`,
      accountEnabled: true,
    });
  }
  return dir;
}
