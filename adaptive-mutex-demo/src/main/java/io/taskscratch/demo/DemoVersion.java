package io.taskscratch.demo;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The demo's version, from {@code demo-version.properties}, which the build fills in with the
 * project version; {@code --version} of the demo and of its subcommands prints it.
 */
public final class DemoVersion implements CommandLine.IVersionProvider {
    private static final String RESOURCE = "demo-version.properties";

    /** Creates the provider (picocli instantiates it). */
    public DemoVersion() {
    }

    /**
     * The project version this demo was built as.
     *
     * @return e.g. {@code 0.1.0-SNAPSHOT}
     */
    static String version() {
        try (InputStream in = DemoVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing: the demo was not built by Maven");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"taskscratch-demo " + version()};
    }
}
