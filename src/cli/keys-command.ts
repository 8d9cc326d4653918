// care-identity keys list|rotate

import { recordAuditEvent } from '../audit/audit-log.ts';
import { ensureSigningKeys, listSigningKeys, rotateSigningKeys } from '../oidc/signing-keys.ts';
import { print, UsageError } from './args.ts';
import type { CommandContext } from './context.ts';

export const keysUsage = `care-identity keys list
  care-identity keys rotate   (new keys sign after each node restarts; old keys stay published until their tokens expire)`;

export async function keysCommand(args: string[], context: CommandContext): Promise<void> {
  const [action] = args;
  if (action === 'list') return print(await listSigningKeys(context.db));
  if (action === 'rotate') {
    const sealer = context.sealer();
    await ensureSigningKeys(context.db, sealer);
    const kids = await rotateSigningKeys(context.db, sealer);
    await recordAuditEvent(context.db, {
      type: 'signing_keys_rotated',
      outcome: 'success',
      actor: 'cli',
      detail: { kids },
    });
    print(`new signing keys: ${kids.join(', ')}`);
    print(
      'restart every node to start signing with them; the previous keys stay published until their tokens expire',
    );
    return;
  }
  throw new UsageError(keysUsage);
}
