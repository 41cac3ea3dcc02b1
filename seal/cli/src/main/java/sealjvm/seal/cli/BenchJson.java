package sealjvm.seal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Locale;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;

/** The one-line JSON result of a bench subcommand: fields in insertion order, measured values with four decimals. */
final class BenchJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchJson() {}

    /** A result object whose first field is {@code "bench": name}. */
    static ObjectNode result(String name) {
        ObjectNode o = JSON.createObjectNode();
        o.put("bench", name);
        return o;
    }

    /** A measured value rounded to four decimals, written as a plain JSON number (e.g. 12.3400). */
    static BigDecimal num(double v) { return new BigDecimal(String.format(Locale.ROOT, "%.4f", v)); }

    /** The fields naming where a benchmark ran: the device, and on a GPU its name and the GEMM precision. */
    static void device(ObjectNode o, Placement placement, String deviceName) {
        if (placement.device() == Device.CPU) {
            o.put("device", "cpu");
        } else {
            o.put("device", placement.device().toString());
            o.put("gpu", deviceName);
            o.put("precision", placement.precision().name().toLowerCase(Locale.ROOT));
        }
    }

    static String write(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
