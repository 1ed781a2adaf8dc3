/* Trains a model on Fashion-MNIST with D-SGD over the one-peer exponential graph on 4 in-process
 * nodes through the C ABI, prints the loss as it goes and the test accuracy at the end.
 *
 *   cc train_fashion_mnist.c $(pkg-config --cflags --libs decent) -o train_fashion_mnist
 *   ./train_fashion_mnist [MODEL [MAX_STEPS]]      (default: resnet20, 2 epochs)
 *
 * Exit status 0 when the loss fell from the first report to the last. */
#include <decent/decent.h>
#include <stdio.h>
#include <stdlib.h>

struct losses {
  double first, last;
  int reports;
};

static int on_progress(const decent_progress* p, void* user) {
  struct losses* l = (struct losses*)user;
  if (p->kind == DECENT_PROGRESS_TRAIN) {
    if (l->reports++ == 0) l->first = p->loss;
    l->last = p->loss;
    printf("step %lld/%lld  epoch %.2f  loss %.4f  %.0f images/s\n", (long long)p->step,
           (long long)p->total_steps, p->epoch, p->loss, p->images_per_second);
  } else {
    printf("epoch %.2f: test accuracy %.2f%%\n", p->epoch, 100 * p->test_accuracy);
  }
  fflush(stdout);
  return 0; /* nonzero would stop training */
}

int main(int argc, char** argv) {
  decent_train_options options;
  decent_train_default_options(&options);
  options.model = argc > 1 ? argv[1] : "resnet20";
  options.data = "fashion-mnist";
  options.nodes = 4;
  options.topology = "one-peer-exp";
  options.algorithm = "dsgd";
  options.epochs = 2;
  options.max_steps = argc > 2 ? atoll(argv[2]) : 0;
  options.log_every = 10;

  decent_trainer* trainer = NULL;
  if (decent_trainer_create(&options, &trainer) != DECENT_OK) {
    fprintf(stderr, "decent_trainer_create: %s\n", decent_last_error());
    return 2;
  }
  struct losses losses = {0, 0, 0};
  if (decent_trainer_run(trainer, on_progress, &losses) != DECENT_OK) {
    fprintf(stderr, "decent_trainer_run: %s\n", decent_last_error());
    decent_trainer_free(trainer);
    return 2;
  }
  double accuracy = 0;
  decent_trainer_evaluate(trainer, &accuracy, NULL);
  printf("test accuracy of the node-averaged %s: %.2f%%\n", options.model, 100 * accuracy);
  decent_trainer_free(trainer);
  return losses.reports >= 2 && losses.last < losses.first ? 0 : 1;
}
