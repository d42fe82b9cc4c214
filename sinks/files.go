package sinks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/hydrantio/hydrant/internal/atomicfile"
)

// FilesOptions configures a Files sink.
type FilesOptions struct {
	// Budget provides the copy buffer (1 MiB) of each Put in flight. Default: a budget of 16 MiB for
	// this sink alone.
	Budget *Budget
	// Retry sets the waits between attempts while the directory cannot be written (permission
	// denied, read-only, disk full, I/O error).
	Retry Backoff
}

// Files is a Sink that stores each object as a file: a bucket is a directory under the root, a key
// is a path under it, its '/' separating directories.
//
//	<root>/
//	    <bucket>/<key>                 the object's bytes: key "a/b.gz" is <root>/<bucket>/a/b.gz
//	    .hydrant-meta/<bucket>/<key>   its attributes as JSON, when it has any (written first)
//	    .hydrant-tmp/put-*             objects being written; emptied when a Files opens the root
//
// A Put writes the body to a file in .hydrant-tmp, fsyncs it, writes the attributes (atomically),
// creates the key's directories (fsyncing the parent of each new one), hard-links the file to its
// final name, which fails if the name is taken, fsyncs the final directory and removes the
// temporary name. The final name is the commit point: once it exists the object is whole and
// durable. On a filesystem without hard links, the sink renames instead, after checking that the
// name is free; two concurrent Puts of one key then both write it, with the same bytes.
//
// Keys whose segments are empty, "." or "..", or longer than 255 bytes are refused (ErrInvalid),
// and a key that needs a directory where another object is a file, or the reverse, is a conflict
// (S3 allows "a" and "a/b" side by side; a filesystem does not). Only one Files may use a root at a
// time.
type Files struct {
	root string
	tmp  string
	meta string
	link bool
	opts FilesOptions
}

var _ Sink = (*Files)(nil)

// NewFiles returns a sink that stores objects under root, creating root if needed.
func NewFiles(root string, o FilesOptions) (*Files, error) {
	if o.Budget == nil {
		o.Budget = NewBudget(16 << 20)
	}
	o.Retry = o.Retry.withDefaults()
	f := &Files{
		root: root,
		tmp:  filepath.Join(root, ".hydrant-tmp"),
		meta: filepath.Join(root, ".hydrant-meta"),
		opts: o,
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("file sink: %w", err)
	}
	if err := os.RemoveAll(f.tmp); err != nil {
		return nil, fmt.Errorf("file sink: clear leftovers: %w", err)
	}
	if err := os.Mkdir(f.tmp, 0o755); err != nil {
		return nil, fmt.Errorf("file sink: %w", err)
	}
	if err := os.MkdirAll(f.meta, 0o755); err != nil {
		return nil, fmt.Errorf("file sink: %w", err)
	}
	link, err := hasHardLinks(f.tmp)
	if err != nil {
		return nil, fmt.Errorf("file sink: %w", err)
	}
	f.link = link
	return f, nil
}

func hasHardLinks(dir string) (bool, error) {
	a := filepath.Join(dir, "probe")
	if err := os.WriteFile(a, nil, 0o644); err != nil {
		return false, err
	}
	defer os.Remove(a)
	err := os.Link(a, a+".link")
	os.Remove(a + ".link")
	return err == nil, nil
}

// Root is the directory the sink writes under.
func (f *Files) Root() string { return f.root }

// CreateBucket creates the bucket's directory if it does not exist.
func (f *Files) CreateBucket(bucket string) error {
	if err := checkBucket(bucket); err != nil {
		return f.fail("create bucket", bucket, "", withKind(ErrInvalid, err))
	}
	if err := os.Mkdir(filepath.Join(f.root, bucket), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return f.fail("create bucket", bucket, "", err)
	}
	if err := atomicfile.SyncDir(f.root); err != nil {
		return f.fail("create bucket", bucket, "", err)
	}
	return nil
}

// Put implements Sink.
func (f *Files) Put(ctx context.Context, o Object, body io.Reader) (PutResult, error) {
	res, err := f.put(ctx, o, body)
	if err != nil {
		return res, f.fail("put", o.Bucket, o.Key, err)
	}
	return res, nil
}

func (f *Files) put(ctx context.Context, o Object, body io.Reader) (PutResult, error) {
	final, err := f.path(o.Bucket, o.Key)
	if err == nil {
		err = checkObject(o)
	}
	if err != nil {
		return PutResult{}, withKind(ErrInvalid, err)
	}
	if err := f.retry(ctx, "stat bucket", func(context.Context) error { return f.checkBucket(o.Bucket) }); err != nil {
		return PutResult{}, err
	}
	r, err := f.opts.Budget.reserve(ctx, chunkSize)
	if err != nil {
		return PutResult{}, err
	}
	defer r.release()
	buf := r.chunk()

	// A replay finds the object stored already: compare it instead of writing it again.
	if _, err := os.Lstat(final); err == nil {
		want, err := drainBody(ctx, body, buf)
		if err != nil {
			return want, err
		}
		return f.settle(ctx, final, want, buf)
	}

	var tmp *os.File
	if err := f.retry(ctx, "create temporary file", func(context.Context) (err error) {
		tmp, err = os.CreateTemp(f.tmp, "put-*")
		return err
	}); err != nil {
		return PutResult{}, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	want, err := f.copy(ctx, tmp, body, buf)
	if err != nil {
		return want, err
	}
	// After a failed fsync the file's contents are unknown, and so is what a second fsync would
	// mean: start over from the body.
	if err := tmp.Sync(); err != nil {
		return want, errorf(ErrUnavailable, "sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return want, errorf(ErrUnavailable, "close %s: %w", tmp.Name(), err)
	}
	if o.ContentType != "" || o.ContentEncoding != "" || len(o.Metadata) > 0 {
		if err := f.retry(ctx, "write attributes", func(context.Context) error { return f.writeMeta(o) }); err != nil {
			return want, err
		}
	}
	bdir := filepath.Join(f.root, o.Bucket)
	if err := f.retry(ctx, "create directories", func(context.Context) error { return mkdirs(bdir, path.Dir(o.Key)) }); err != nil {
		return want, err
	}
	existed := false
	if err := f.retry(ctx, "link", func(context.Context) error {
		err := f.commit(tmp.Name(), final)
		if errors.Is(err, fs.ErrExist) {
			existed = true
			return nil
		}
		return err
	}); err != nil {
		return want, err
	}
	if existed {
		return f.settle(ctx, final, want, buf)
	}
	err = f.retry(ctx, "sync directory", func(context.Context) error { return atomicfile.SyncDir(filepath.Dir(final)) })
	return want, err
}

// commit gives the written file its final name, unless the name is taken (fs.ErrExist).
func (f *Files) commit(tmp, final string) error {
	if f.link {
		return os.Link(tmp, final)
	}
	if _, err := os.Lstat(final); err == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, final)
}

// copy streams body into tmp through buf, retrying writes that fail while the disk is full or
// failing, and checking ctx between writes.
func (f *Files) copy(ctx context.Context, tmp *os.File, body io.Reader, buf []byte) (PutResult, error) {
	var res PutResult
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		n, rerr := io.ReadFull(body, buf)
		if n > 0 {
			b := buf[:n]
			if err := f.retry(ctx, "write", func(context.Context) error {
				w, err := tmp.WriteAt(b, res.Size)
				b = b[w:]
				res.Size += int64(w)
				return err
			}); err != nil {
				return res, err
			}
			res.CRC32C = crc32.Update(res.CRC32C, castagnoli, buf[:n])
		}
		switch {
		case rerr == io.EOF || rerr == io.ErrUnexpectedEOF:
			return res, nil
		case rerr != nil:
			return res, fmt.Errorf("read body: %w", rerr)
		}
	}
}

// drainBody reads a body to its end for its size and checksum.
func drainBody(ctx context.Context, body io.Reader, buf []byte) (PutResult, error) {
	var res PutResult
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		n, err := body.Read(buf)
		res.Size += int64(n)
		res.CRC32C = crc32.Update(res.CRC32C, castagnoli, buf[:n])
		switch {
		case err == io.EOF:
			return res, nil
		case err != nil:
			return res, fmt.Errorf("read body: %w", err)
		}
	}
}

// settle decides a Put whose name turned out to be taken: Existed if the file there has the body's
// size and CRC-32C, ErrConflict otherwise.
func (f *Files) settle(ctx context.Context, final string, want PutResult, buf []byte) (PutResult, error) {
	var got PutResult
	err := f.retry(ctx, "read existing object", func(ctx context.Context) error {
		fi, err := os.Lstat(final)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return errorf(ErrConflict, "%s is a directory: other keys lie under this one", final)
		}
		file, err := os.Open(final)
		if err != nil {
			return err
		}
		defer file.Close()
		got, err = drainBody(ctx, file, buf)
		return err
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return want, errorf(ErrUnavailable, "object removed while it was compared: %w", err)
	case err != nil:
		return want, err
	case got.Size != want.Size:
		return want, errorf(ErrConflict, "stored object is %d bytes, this one %d", got.Size, want.Size)
	case got.CRC32C != want.CRC32C:
		return want, errorf(ErrConflict, "stored object has CRC-32C %08x, this one %08x", got.CRC32C, want.CRC32C)
	}
	want.Existed = true
	return want, nil
}

// mkdirs creates the directories of rel (slash-separated) under base, fsyncing the parent of each
// one it creates so that the new entry survives a crash.
func mkdirs(base, rel string) error {
	if rel == "." {
		return nil
	}
	dir := base
	for seg := range strings.SplitSeq(rel, "/") {
		next := filepath.Join(dir, seg)
		err := os.Mkdir(next, 0o755)
		switch {
		case err == nil:
			if err := atomicfile.SyncDir(dir); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrExist):
			if fi, err := os.Stat(next); err == nil && !fi.IsDir() {
				return errorf(ErrConflict, "%s is an object, not a directory", next)
			}
		default:
			return err
		}
		dir = next
	}
	return nil
}

// fileMeta is the JSON of an object's attributes.
type fileMeta struct {
	ContentType     string            `json:"content_type,omitempty"`
	ContentEncoding string            `json:"content_encoding,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
}

func (f *Files) writeMeta(o Object) error {
	b, err := json.Marshal(fileMeta{ContentType: o.ContentType, ContentEncoding: o.ContentEncoding, Metadata: o.Metadata})
	if err != nil {
		return err
	}
	if err := mkdirs(f.meta, path.Join(o.Bucket, path.Dir(o.Key))); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(f.meta, o.Bucket, filepath.FromSlash(o.Key)), b, 0o644)
}

// Stat implements Sink.
func (f *Files) Stat(ctx context.Context, bucket, key string) (Info, error) {
	final, err := f.path(bucket, key)
	if err != nil {
		return Info{}, f.fail("stat", bucket, key, withKind(ErrInvalid, err))
	}
	var info Info
	err = f.retry(ctx, "stat", func(context.Context) error {
		if err := f.checkBucket(bucket); err != nil {
			return err
		}
		fi, err := os.Lstat(final)
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR), err == nil && !fi.Mode().IsRegular():
			return withKind(ErrNotExist, fmt.Errorf("no object %s", final))
		case err != nil:
			return err
		}
		info = Info{Bucket: bucket, Key: key, Size: fi.Size(), ModTime: fi.ModTime()}
		b, err := os.ReadFile(filepath.Join(f.meta, bucket, filepath.FromSlash(key)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		var m fileMeta
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("attributes of %s: %w", final, err)
		}
		info.ContentType, info.ContentEncoding, info.Metadata = m.ContentType, m.ContentEncoding, m.Metadata
		return nil
	})
	if err != nil {
		return Info{}, f.fail("stat", bucket, key, err)
	}
	return info, nil
}

// List implements Sink. It walks the bucket's directories, sorting each one's entries as their keys
// sort (a directory "a" as "a/"), so it holds one directory's names at a time, not the listing.
func (f *Files) List(ctx context.Context, bucket, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		fail := func(err error) { yield(Info{}, f.fail("list", bucket, prefix, err)) }
		if err := checkBucket(bucket); err != nil {
			fail(withKind(ErrInvalid, err))
			return
		}
		if err := f.retry(ctx, "stat bucket", func(context.Context) error { return f.checkBucket(bucket) }); err != nil {
			fail(err)
			return
		}
		// Start in the deepest directory the prefix names; only that level needs filtering.
		dirKey, rest := "", prefix
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			dirKey, rest = prefix[:i+1], prefix[i+1:]
		}
		var walk func(dirKey, rest string) bool
		walk = func(dirKey, rest string) bool {
			if err := ctx.Err(); err != nil {
				fail(err)
				return false
			}
			dir := filepath.Join(f.root, bucket, filepath.FromSlash(dirKey))
			entries, err := os.ReadDir(dir)
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				return true
			}
			if err != nil {
				fail(err)
				return false
			}
			sortKey := func(e fs.DirEntry) string {
				if e.IsDir() {
					return e.Name() + "/"
				}
				return e.Name()
			}
			slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortKey(a), sortKey(b)) })
			for _, e := range entries {
				name := sortKey(e)
				if !strings.HasPrefix(name, rest) {
					continue
				}
				if e.IsDir() {
					if !walk(dirKey+name, "") {
						return false
					}
					continue
				}
				if !e.Type().IsRegular() {
					continue
				}
				fi, err := e.Info()
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					fail(err)
					return false
				}
				if !yield(Info{Bucket: bucket, Key: dirKey + name, Size: fi.Size(), ModTime: fi.ModTime()}, nil) {
					return false
				}
			}
			return true
		}
		walk(dirKey, rest)
	}
}

// path returns the file of bucket/key, or why the key cannot be a file.
func (f *Files) path(bucket, key string) (string, error) {
	if err := checkBucket(bucket); err != nil {
		return "", err
	}
	if err := checkKey(key); err != nil {
		return "", err
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "", seg == ".", seg == "..":
			return "", fmt.Errorf("key %q: a file sink needs every '/'-separated segment to be a file name, not %q", key, seg)
		case len(seg) > 255:
			return "", fmt.Errorf("key %q: a segment is longer than 255 bytes", key)
		case strings.ContainsRune(seg, 0):
			return "", fmt.Errorf("key %q contains NUL", key)
		}
	}
	return filepath.Join(f.root, bucket, filepath.FromSlash(key)), nil
}

func (f *Files) checkBucket(bucket string) error {
	fi, err := os.Stat(filepath.Join(f.root, bucket))
	switch {
	case errors.Is(err, fs.ErrNotExist), err == nil && !fi.IsDir():
		return withKind(ErrNoSuchBucket, fmt.Errorf("no directory %s", filepath.Join(f.root, bucket)))
	}
	return err
}

func (f *Files) retry(ctx context.Context, op string, fn func(context.Context) error) error {
	return retry(ctx, f.opts.Retry, op, classifyFile, fn)
}

func (f *Files) fail(op, bucket, key string, err error) error {
	kind, _ := classifyFile(err)
	return &Error{Op: op, Bucket: bucket, Key: key, Kind: kind, Err: err}
}

// classifyFile returns a filesystem error's kind and whether to try again. A local disk is "down"
// while it refuses writes for reasons an operator fixes without touching Hydrant: permissions, a
// read-only remount, a full disk or quota, I/O errors, a stale network mount.
func classifyFile(err error) (kind error, retriable bool) {
	var c *classified
	switch {
	case err == nil:
		return nil, false
	case errors.As(err, &c):
		return c.kind, false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, false
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return nil, false // the body's reader, or a decoding error
	}
	switch errno {
	case syscall.EACCES, syscall.EPERM, syscall.EROFS, syscall.ENOSPC, syscall.EDQUOT, syscall.EIO,
		syscall.EAGAIN, syscall.EINTR, syscall.EBUSY, syscall.ESTALE, syscall.ETIMEDOUT,
		syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM, syscall.ENOTCONN:
		return ErrUnavailable, true
	case syscall.ENOENT:
		return ErrNotExist, false
	case syscall.ENOTDIR, syscall.EISDIR, syscall.EEXIST:
		return ErrConflict, false
	}
	return ErrInvalid, false
}
