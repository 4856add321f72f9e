package dev.wharf.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.eclipse.jetty.ee10.servlet.HttpOutput;

/**
 * The response body as a channel. On Jetty the buffers the blob store fills go to the connection as they are (a
 * direct buffer is written to the socket without another copy); elsewhere through a plain stream.
 */
final class ResponseChannel implements WritableByteChannel {
    private final OutputStream out;
    private boolean open = true;

    ResponseChannel(OutputStream out) {
        this.out = out;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (out instanceof HttpOutput jetty) {
            jetty.write(src);
        } else if (src.hasArray()) {
            out.write(src.array(), src.arrayOffset() + src.position(), n);
        } else {
            byte[] copy = new byte[n];
            src.get(copy);
            out.write(copy);
            return n;
        }
        src.position(src.limit());
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        out.flush();
    }
}
