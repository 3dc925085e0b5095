/**
 * Joins its stdin/stdout to a TCP port on the host's loopback. qemu's
 * `guestfwd=...-cmd:` runs it once for every connection the guest opens to the
 * forwarded address (a `tcp:` chardev would connect only once, at qemu start).
 * Run by node directly (type stripping), so it imports nothing of the project.
 */
import { connect } from "node:net";

const port = Number(process.argv[2]);
const socket = connect(port, "127.0.0.1");
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on("error", () => process.exit(1));
socket.on("close", () => process.exit(0));
