package io.sparkgrad.spark.testing;

import io.sparkgrad.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** The extension behind {@link LocalSpark}: resolves {@code SparkSession} parameters. */
public final class LocalSparkExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LocalSparkExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        return p.getParameter().getType() == SparkSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        String master = ctx.getTestClass().map(c -> c.getAnnotation(LocalSpark.class))
                .map(LocalSpark::master).orElse("local[2]");
        ExtensionContext.Store root = ctx.getRoot().getStore(NS);
        Holder h = root.get("session", Holder.class);
        if (h != null && h.master.equals(master)) {
            return h.session;
        }
        if (h != null) {
            h.close();
            root.remove("session");
        }
        Holder fresh = new Holder(master, SparkSessions.local(master, "sparkgrad-test"));
        root.put("session", fresh);
        return fresh.session;
    }

    /** Stops the session when the test run ends. */
    private static final class Holder implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final String master;
        final SparkSession session;

        Holder(String master, SparkSession session) {
            this.master = master;
            this.session = session;
        }

        @Override
        public void close() {
            session.stop();
        }
    }
}
