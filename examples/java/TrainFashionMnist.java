import org.decent.Progress;
import org.decent.TrainOptions;
import org.decent.Trainer;

/**
 * Trains a model on Fashion-MNIST with D-SGD over the one-peer exponential graph on 4 in-process
 * nodes through the Java binding; prints progress and the test accuracy.
 *
 * <pre>
 *   javac -cp build/java/decent.jar TrainFashionMnist.java
 *   java -cp build/java/decent.jar:. -Djava.library.path=build/java TrainFashionMnist [MODEL [MAX_STEPS]]
 * </pre>
 *
 * Exit status 0 when the loss fell from the first report to the last.
 */
public class TrainFashionMnist {
  public static void main(String[] args) {
    TrainOptions o = new TrainOptions();
    o.model = args.length > 0 ? args[0] : "resnet20";
    o.maxSteps = args.length > 1 ? Long.parseLong(args[1]) : 0;
    o.data = "fashion-mnist";
    o.nodes = 4;
    o.topology = "one-peer-exp";
    o.algorithm = "dsgd";
    o.epochs = 2;
    o.logEvery = 10;
    final double[] losses = {Double.NaN, Double.NaN};
    try (Trainer t = new Trainer(o)) {
      t.run((Progress p) -> {
        if (p.eval) {
          System.out.printf("epoch %.2f: test accuracy %.2f%%%n", p.epoch, 100 * p.testAccuracy);
        } else {
          if (Double.isNaN(losses[0])) losses[0] = p.loss;
          losses[1] = p.loss;
          System.out.printf("step %d/%d  epoch %.2f  loss %.4f  %.0f images/s%n", p.step,
              p.totalSteps, p.epoch, p.loss, p.imagesPerSecond);
        }
        return false;  // true would stop training
      });
      System.out.printf("test accuracy of the node-averaged %s: %.2f%%%n", o.model,
          100 * t.evaluate()[0]);
    }
    System.exit(losses[1] < losses[0] ? 0 : 1);
  }
}
