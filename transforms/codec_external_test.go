package transforms

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests read Hydrant's objects with readers that are not ours: the gzip, unzip and zstd
// commands, python3's gzip and zipfile modules, python-snappy's Hadoop reader, and snappy-java's
// SnappyInputStream (the reader of the xerial format Firehose's Snappy is). A missing tool fails
// the test: scripts/test.sh installs them all from Debian.

// snappyJar is where Debian's libsnappy-java puts snappy-java.
const snappyJar = "/usr/share/java/snappy-java.jar"

func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (scripts/test.sh installs it: apt-get install %s): %v", name, pkg, err)
	}
	return path
}

// snappyPython returns a python3 that can import python-snappy. Debian's python3-snappy lives in
// /usr/lib/python3/dist-packages, which only Debian's /usr/bin/python3 sees: the pyenv python3
// first on PATH here cannot import it, so that one is tried first and /usr/bin/python3 second.
func snappyPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if err := exec.Command(py, "-c", "import snappy.hadoop_snappy").Run(); err == nil {
			return py
		}
	}
	t.Fatalf("no python3 can import snappy (scripts/test.sh installs it: apt-get install python3-snappy)")
	return ""
}

type codecObject struct {
	path, name string
	want       []byte
}

// writeObjects compresses every input with c into dir and returns the files.
func writeObjects(t *testing.T, dir string, c Codec) []codecObject {
	t.Helper()
	var objs []codecObject
	for _, in := range codecInputs() {
		path := filepath.Join(dir, fmt.Sprintf("%s-%s%s", c.Name(), in.name, c.Extension()))
		if err := os.WriteFile(path, compress(t, c, in.data, 4096), 0o644); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, codecObject{path, in.name, in.data})
	}
	return objs
}

// runEach runs the command once per object with the object's path appended and compares its
// standard output with the object's content.
func runEach(t *testing.T, objs []codecObject, name string, args ...string) {
	t.Helper()
	for _, o := range objs {
		cmd := exec.Command(name, append(args, o.path)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		got, err := cmd.Output()
		if err != nil {
			t.Errorf("%s %s %s: %v: %s", name, strings.Join(args, " "), filepath.Base(o.path), err, stderr.Bytes())
			continue
		}
		if !bytes.Equal(got, o.want) {
			t.Errorf("%s %s: got %d bytes, want %d (content differs)", name, filepath.Base(o.path), len(got), len(o.want))
		}
	}
}

// runBatch runs the command once with "IN OUT" pairs appended for every object and compares each
// OUT file with the object's content. It returns the command's output lines, one per object.
func runBatch(t *testing.T, objs []codecObject, name string, args ...string) []string {
	t.Helper()
	for _, o := range objs {
		args = append(args, o.path, o.path+".out")
	}
	cmd := exec.Command(name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	for _, o := range objs {
		got, err := os.ReadFile(o.path + ".out")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, o.want) {
			t.Errorf("%s %s: got %d bytes, want %d (content differs)", name, filepath.Base(o.path), len(got), len(o.want))
		}
	}
	return strings.Fields(string(out))
}

func TestExternalGZIP(t *testing.T) {
	objs := writeObjects(t, t.TempDir(), GZIP)
	runEach(t, objs, needTool(t, "gzip", "gzip"), "-dc")
	runBatch(t, objs, needTool(t, "python3", "python3"), "testdata/decode.py", "gzip")
}

func TestExternalZIP(t *testing.T) {
	dir := t.TempDir()
	objs := writeObjects(t, dir, ZIP)
	unzip := needTool(t, "unzip", "unzip")
	runEach(t, objs, unzip, "-p")
	// unzip -t checks every CRC and the archive's structure.
	for _, o := range objs {
		if out, err := exec.Command(unzip, "-tq", o.path).CombinedOutput(); err != nil {
			t.Errorf("unzip -t %s: %v: %s", filepath.Base(o.path), err, out)
		}
	}
	names := runBatch(t, objs, needTool(t, "python3", "python3"), "testdata/decode.py", "zip")
	for _, n := range names {
		if n != DefaultEntryName {
			t.Errorf("python zipfile saw entry %q, want %q", n, DefaultEntryName)
		}
	}
}

func TestExternalSnappy(t *testing.T) {
	objs := writeObjects(t, t.TempDir(), Snappy)
	java := needTool(t, "java", "default-jre-headless")
	if _, err := os.Stat(snappyJar); err != nil {
		t.Fatalf("snappy-java is not installed (scripts/test.sh installs it: apt-get install libsnappy-java): %v", err)
	}
	runBatch(t, objs, java, "-cp", snappyJar, "testdata/XerialDecode.java")
	// Firehose's Snappy is not Google's framing format: python-snappy's framing reader must refuse
	// it, as framed-Snappy readers refuse real Firehose objects (FIREHOSE.md §9).
	py := snappyPython(t)
	out, err := exec.Command(py, "testdata/decode.py", "framing_snappy", objs[2].path, objs[2].path+".framed").CombinedOutput()
	if err == nil {
		t.Errorf("python-snappy's framing-format reader accepted a Snappy (xerial) object: %s", out)
	}
}

func TestExternalHadoopSnappy(t *testing.T) {
	objs := writeObjects(t, t.TempDir(), HadoopSnappy)
	runBatch(t, objs, snappyPython(t), "testdata/decode.py", "hadoop_snappy")
}

func TestExternalZSTD(t *testing.T) {
	objs := writeObjects(t, t.TempDir(), ZSTD)
	zstd := needTool(t, "zstd", "zstd")
	runEach(t, objs, zstd, "-dcq")
	// zstd -t verifies the frames and their checksums.
	for _, o := range objs {
		if out, err := exec.Command(zstd, "-tq", o.path).CombinedOutput(); err != nil {
			t.Errorf("zstd -t %s: %v: %s", filepath.Base(o.path), err, out)
		}
	}
}
