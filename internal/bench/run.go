package bench

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// runner is the state of one run, shared read-only by the phases except where
// noted.
type runner struct {
	cfg      Config
	client   *client
	stream   string
	created  bool
	topo     *topology
	ledger   *Ledger
	gens     []*generator // one per writer, owned by it during a put phase
	progress io.Writer
}

// Run runs the phases cfg asks for against cfg.Endpoint and returns their
// report. It prints progress lines to progress when it is not nil. A run that
// read back what it wrote carries the check's outcome in Report.Verification;
// Report.Failed tells whether it found a problem, which is not an error of
// Run's. Run may return both a report and an error, when it measured something
// before failing or failed to delete its stream.
func Run(ctx context.Context, cfg Config, progress io.Writer) (_ *Report, err error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	phases, _ := cfg.phases()
	creds := aws.Credentials{
		AccessKeyID:     cfg.AccessKeyID,
		SecretAccessKey: cfg.SecretAccessKey,
		SessionToken:    cfg.SessionToken,
		Source:          "hydrant bench",
	}
	c, err := newClient(cfg.Endpoint, cfg.Region, creds, cfg.Workers, cfg.Transport)
	if err != nil {
		return nil, err
	}
	defer c.close()
	r := &runner{cfg: cfg, client: c, stream: cfg.Stream, progress: progress}

	if err := r.openStream(ctx, !slices.Equal(phases, []string{PhaseGetRecords})); err != nil {
		return nil, err
	}
	if r.created && !cfg.Keep {
		defer func() {
			// Clean up even when the run was interrupted.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if derr := c.deleteStream(dctx, r.stream); derr != nil {
				err = errors.Join(err, fmt.Errorf("delete stream %s: %w", r.stream, derr))
			}
		}()
	}

	shards, err := c.listShards(ctx, r.stream)
	if err != nil {
		return nil, err
	}
	if r.topo, err = newTopology(partitionKeys(cfg.PartitionKeys), shards); err != nil {
		return nil, err
	}
	open := 0
	for _, s := range shards {
		if s.Open {
			open++
		}
	}
	rep := &Report{
		Endpoint:      cfg.Endpoint,
		Protocol:      cfg.Protocol,
		Stream:        r.stream,
		Created:       r.created,
		Shards:        len(shards),
		OpenShards:    open,
		Workers:       cfg.Workers,
		Batch:         cfg.Batch,
		RecordSize:    cfg.RecordSize,
		PartitionKeys: cfg.PartitionKeys,
	}

	var seed [36]byte
	_, _ = crand.Read(seed[:]) // never fails
	run := binary.LittleEndian.Uint32(seed[32:]) | 1
	r.ledger = newLedger(run, cfg.RecordSize, cfg.Workers, len(shards))
	for w := range cfg.Workers {
		ws := [32]byte(seed[:32])
		binary.LittleEndian.PutUint32(ws[28:], uint32(w)) // a distinct filler stream per writer
		r.gens = append(r.gens, newGenerator(run, uint32(w), cfg.RecordSize, cfg.PartitionKeys, ws))
	}

	wrote := false
	for _, name := range phases {
		var chk *Checker
		if name == PhaseGetRecords && wrote {
			chk = newChecker(r.ledger, r.topo, r.created)
		}
		res, err := r.measure(ctx, name, func(ctx context.Context, st *phaseStats) error {
			if name == PhaseGetRecords {
				return r.runGet(ctx, st, chk)
			}
			return r.runPut(ctx, name, st)
		})
		rep.Phases = append(rep.Phases, res)
		if err != nil {
			return rep, err
		}
		if chk != nil {
			rep.Verification = chk.Finish()
		}
		wrote = wrote || name != PhaseGetRecords
	}
	return rep, nil
}

// openStream finds the stream, or creates it when create is set, and waits for
// it to be ACTIVE.
func (r *runner) openStream(ctx context.Context, create bool) error {
	if r.stream == "" {
		var b [4]byte
		_, _ = crand.Read(b[:])
		r.stream = "hydrant-bench-" + hex.EncodeToString(b[:])
	}
	status, err := r.client.streamStatus(ctx, r.stream)
	if err != nil {
		return err
	}
	if status == "" {
		if !create {
			return fmt.Errorf("stream %s does not exist", r.stream)
		}
		if err := r.client.createStream(ctx, r.stream, r.cfg.Shards); err != nil {
			return err
		}
		r.created = true
	}
	if status != "ACTIVE" {
		return r.client.waitActive(ctx, r.stream, r.cfg.ActiveTimeout)
	}
	return nil
}

// measure runs one phase and takes its figures.
func (r *runner) measure(ctx context.Context, name string, phase func(context.Context, *phaseStats) error) (PhaseResult, error) {
	st := new(phaseStats)
	var srv0 procSample
	if r.cfg.ServerPID != 0 {
		var err error
		if srv0, err = readProc(r.cfg.ServerPID); err != nil {
			return PhaseResult{Name: name}, err
		}
	}
	cpu0 := selfCPU()
	mon := startMonitor(name, st, r.progress, r.cfg.ServerPID)
	start := time.Now()
	err := phase(ctx, st)
	elapsed := time.Since(start)
	maxRSS := mon.stop()
	cpu := selfCPU() - cpu0

	res := PhaseResult{
		Name:       name,
		Elapsed:    elapsed,
		Records:    st.records.Load(),
		Bytes:      st.bytes.Load(),
		Requests:   st.requests.Load(),
		LatencyP50: time.Duration(st.latency.Quantile(0.50)),
		LatencyP99: time.Duration(st.latency.Quantile(0.99)),
		LatencyMax: time.Duration(st.latency.Max()),
		Errors:     st.errors.Load(),
		Throttled:  st.throttled.Load(),
		Retries:    st.retries.Load(),
		ClientCPU:  cpu,
	}
	if s := elapsed.Seconds(); s > 0 {
		res.RecordsPerSec = float64(res.Records) / s
		res.MBPerSec = float64(res.Bytes) / s / 1e6
	}
	if r.cfg.ServerPID != 0 {
		if srv1, perr := readProc(r.cfg.ServerPID); perr == nil {
			res.ServerCPU = srv1.CPU - srv0.CPU
			res.ServerRSS = srv1.RSS
			res.ServerRSSMax = max(maxRSS, srv1.RSS)
			res.ServerHWM = srv1.HWM
		} else if err == nil {
			err = perr
		}
	}
	return res, err
}
