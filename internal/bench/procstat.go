package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat. It is 100 on every
// Linux architecture Go supports (the kernel's USER_HZ, not CONFIG_HZ).
const userHZ = 100

// procSample is one reading of a process's resource use from /proc.
type procSample struct {
	CPU time.Duration // user + system time so far
	RSS int64         // resident set, bytes (VmRSS)
	HWM int64         // peak resident set since the process started, bytes (VmHWM)
}

// readProc reads the CPU time and memory of process pid.
func readProc(pid int) (procSample, error) {
	var s procSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("server process: %w", err)
	}
	if s.CPU, err = parseProcStat(stat); err != nil {
		return s, fmt.Errorf("server process: /proc/%d/stat: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("server process: %w", err)
	}
	s.RSS, s.HWM = parseProcStatus(status)
	return s, nil
}

// parseProcStat returns utime+stime from the contents of /proc/<pid>/stat. The
// command name (field 2) is in parentheses and may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseProcStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("no command name")
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields, want at least 15", len(f)+2)
	}
	utime, err1 := strconv.ParseUint(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseUint(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad utime or stime")
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// parseProcStatus returns VmRSS and VmHWM, in bytes, from the contents of
// /proc/<pid>/status. Missing lines read as zero.
func parseProcStatus(b []byte) (rss, hwm int64) {
	for line := range bytes.Lines(b) {
		var dst *int64
		switch {
		case bytes.HasPrefix(line, []byte("VmRSS:")):
			dst = &rss
		case bytes.HasPrefix(line, []byte("VmHWM:")):
			dst = &hwm
		default:
			continue
		}
		f := bytes.Fields(line[6:])
		if len(f) >= 1 {
			if kb, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
				*dst = kb << 10
			}
		}
	}
	return rss, hwm
}
