// Decompresses xerial snappy-java streams with snappy-java's own SnappyInputStream, for the codec
// tests: java -cp /usr/share/java/snappy-java.jar XerialDecode.java IN OUT [IN OUT ...]
// An empty input is an empty output (SnappyInputStream refuses a stream with no header at all).
import java.io.*;
import java.nio.file.*;
import org.xerial.snappy.SnappyInputStream;

public class XerialDecode {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            try (InputStream in = new SnappyInputStream(new BufferedInputStream(Files.newInputStream(Paths.get(args[i]))));
                 OutputStream out = Files.newOutputStream(Paths.get(args[i + 1]))) {
                in.transferTo(out);
            }
            System.out.println("ok");
        }
    }
}
