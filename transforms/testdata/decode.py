"""Decompresses Hydrant's objects with python's own readers, for the codec tests.

usage: python3 decode.py FORMAT IN OUT [IN OUT ...]
FORMAT is gzip (the gzip module), zip (zipfile: the archive must hold exactly one deflated entry,
whose content is written), hadoop_snappy (python-snappy's hadoop_snappy stream reader) or
framing_snappy (python-snappy's reader of Google's Snappy framing format). Prints one line per
input: its entry name for zip, else "ok".
"""
import gzip
import sys
import zipfile


def main():
    fmt, paths = sys.argv[1], sys.argv[2:]
    for src, dst in zip(paths[0::2], paths[1::2]):
        info = "ok"
        if fmt == "gzip":
            with gzip.open(src, "rb") as f:
                data = f.read()
        elif fmt == "zip":
            with zipfile.ZipFile(src) as z:
                entries = z.infolist()
                if len(entries) != 1:
                    sys.exit("%s: %d entries, want 1" % (src, len(entries)))
                if entries[0].compress_type != zipfile.ZIP_DEFLATED:
                    sys.exit("%s: entry not deflated" % src)
                info = entries[0].filename
                data = z.read(entries[0])
                if z.testzip() is not None:
                    sys.exit("%s: bad CRC" % src)
        elif fmt in ("hadoop_snappy", "framing_snappy"):
            import snappy
            import io
            out = io.BytesIO()
            with open(src, "rb") as f:
                if fmt == "hadoop_snappy":
                    snappy.hadoop_snappy.stream_decompress(f, out)
                else:
                    snappy.stream_decompress(f, out)
            data = out.getvalue()
        else:
            sys.exit("unknown format " + fmt)
        with open(dst, "wb") as f:
            f.write(data)
        print(info)


main()
