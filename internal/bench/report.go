package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run.
type Report struct {
	Endpoint      string `json:"endpoint"`
	Protocol      string `json:"protocol"` // data-plane body encoding: json or cbor
	Stream        string `json:"stream"`
	Created       bool   `json:"created"` // the run created the stream
	Shards        int    `json:"shards"`
	OpenShards    int    `json:"open_shards"`
	Workers       int    `json:"workers"`
	Batch         int    `json:"batch"`
	RecordSize    int    `json:"record_size"`
	PartitionKeys int    `json:"partition_keys"`

	Phases []PhaseResult `json:"phases"`
	// Verification is set when the run both wrote and read back.
	Verification *Verification `json:"verification,omitempty"`
}

// PhaseResult is what one phase measured. Durations are in nanoseconds in
// JSON; MB is 10^6 bytes of record data (not of base64 or JSON).
type PhaseResult struct {
	Name          string        `json:"name"`
	Elapsed       time.Duration `json:"elapsed_ns"`
	Records       int64         `json:"records"`
	Bytes         int64         `json:"bytes"`
	Requests      int64         `json:"requests"`
	RecordsPerSec float64       `json:"records_per_sec"`
	MBPerSec      float64       `json:"mb_per_sec"`
	LatencyP50    time.Duration `json:"latency_p50_ns"`
	LatencyP99    time.Duration `json:"latency_p99_ns"`
	LatencyMax    time.Duration `json:"latency_max_ns"`
	Errors        int64         `json:"errors"`    // failed requests, throttled ones included
	Throttled     int64         `json:"throttled"` // throttled requests and PutRecords entries
	Retries       int64         `json:"retries"`   // records sent again
	ClientCPU     time.Duration `json:"client_cpu_ns"`

	// With a server pid: its CPU time over the phase, its resident set at the
	// end, the largest one sampled during the phase, and the kernel's peak.
	ServerCPU    time.Duration `json:"server_cpu_ns,omitempty"`
	ServerRSS    int64         `json:"server_rss_bytes,omitempty"`
	ServerRSSMax int64         `json:"server_rss_max_bytes,omitempty"`
	ServerHWM    int64         `json:"server_hwm_bytes,omitempty"`
}

// Failed reports whether the read-back check found a problem.
func (r *Report) Failed() bool {
	return r.Verification != nil && !r.Verification.OK()
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as a table, one row per phase, and the outcome
// of the check.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	protocol := ""
	if r.Protocol != "" && r.Protocol != ProtocolJSON {
		protocol = " (" + r.Protocol + ")"
	}
	fmt.Fprintf(&b, "endpoint %s%s, stream %s (%d shards), %d workers, batch %d, %d-byte records, %d partition keys\n\n",
		r.Endpoint, protocol, r.Stream, r.Shards, r.Workers, r.Batch, r.RecordSize, r.PartitionKeys)
	server := false
	nameWidth := len("phase")
	for _, p := range r.Phases {
		server = server || p.ServerRSS > 0
		nameWidth = max(nameWidth, len(p.Name))
	}
	// The writer aligns every column right; padding the names keeps the first
	// column left-aligned.
	pad := func(s string) string { return s + strings.Repeat(" ", nameWidth-len(s)) }
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := pad("phase") + "\trecords\trec/s\tMB/s\tp50\tp99\tmax\terrors\tthrottled\tretries\tclient cpu\t"
	if server {
		head += "server cpu\tserver rss\trss max\t"
	}
	fmt.Fprintln(tw, head)
	for _, p := range r.Phases {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t",
			pad(p.Name), p.Records, p.RecordsPerSec, p.MBPerSec,
			fmtLatency(p.LatencyP50), fmtLatency(p.LatencyP99), fmtLatency(p.LatencyMax),
			p.Errors, p.Throttled, p.Retries, fmtCPU(p.ClientCPU, p.Elapsed))
		if server {
			fmt.Fprintf(tw, "%s\t%s\t%s\t", fmtCPU(p.ServerCPU, p.Elapsed), fmtBytes(p.ServerRSS), fmtBytes(max(p.ServerRSSMax, p.ServerRSS)))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if v := r.Verification; v != nil {
		b.WriteString("\n")
		if v.OK() {
			fmt.Fprintf(&b, "verify: ok: %d records (%s) read back exactly once, intact, in order, in their shards",
				v.Read, fmtBytes(v.ReadBytes))
			if v.UncertainSent > 0 {
				fmt.Fprintf(&b, "; %d of %d records of unknown write outcome were found", v.UncertainRead, v.UncertainSent)
			}
			b.WriteString("\n")
		} else {
			fmt.Fprintf(&b, "verify: FAILED: expected %d records (%s), read %d (%s)\n",
				v.Expected, fmtBytes(v.ExpectedBytes), v.Read, fmtBytes(v.ReadBytes))
			for _, c := range []struct {
				n    int64
				what string
			}{
				{v.Missing, "missing"}, {v.Duplicated, "duplicated"}, {v.Corrupted, "corrupted"},
				{v.Reordered, "out of order"}, {v.Misrouted, "in the wrong shard"},
				{v.SequenceErrors, "with a sequence number out of order"}, {v.Unexpected, "unexpected"},
			} {
				if c.n > 0 {
					fmt.Fprintf(&b, "  %d records %s\n", c.n, c.what)
				}
			}
			for _, p := range v.Problems {
				fmt.Fprintf(&b, "  %s\n", p)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtLatency(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// fmtCPU shows CPU time and the share of one core it is over elapsed.
func fmtCPU(cpu, elapsed time.Duration) string {
	if elapsed <= 0 {
		return fmt.Sprintf("%.2fs", cpu.Seconds())
	}
	return fmt.Sprintf("%.2fs %.0f%%", cpu.Seconds(), 100*cpu.Seconds()/elapsed.Seconds())
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	default:
		return fmt.Sprintf("%d B", n)
	}
}
