"""The gVisor sandbox: image (rootfs), runner (OCI bundle + runsc), network simulator, guest scripts."""
