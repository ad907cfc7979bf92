// The entry point Pulumi.yaml names: `pulumi preview` / `pulumi up` in a backup repository
// declare the snapshot of the checked-out commit (see ./declare.ts). Does I/O (git).
import { program } from './declare.ts';

export default program;
