package miniotest

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill MinIO if the test binary dies first (a timeout's panic, kill -9),
// so no server outlives its test.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
