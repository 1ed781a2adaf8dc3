# Trains a model on Fashion-MNIST with D-SGD over the one-peer exponential graph on 4 in-process
# nodes through Decent.jl and prints the test accuracy. (Not run-tested: see bindings/julia.)
#   julia --project=bindings/julia examples/julia/train_fashion_mnist.jl [MODEL [MAX_STEPS]]
using Decent

model = length(ARGS) >= 1 ? ARGS[1] : "resnet20"
max_steps = length(ARGS) >= 2 ? parse(Int, ARGS[2]) : 0
t = Trainer(model = model, data = "fashion-mnist", nodes = 4, topology = "one-peer-exp",
            algorithm = "dsgd", epochs = 2, max_steps = max_steps, log_every = 10)
run!(t; progress = p -> begin
    if p.kind == Decent.L.DECENT_PROGRESS_TRAIN
        println("step $(p.step)/$(p.total_steps)  loss $(round(p.loss, digits = 4))")
    else
        println("epoch $(round(p.epoch, digits = 2)): test accuracy $(round(100 * p.test_accuracy, digits = 2))%")
    end
    false
end)
accuracy, _ = evaluate(t)
println("test accuracy of the node-averaged $model: $(round(100 * accuracy, digits = 2))%")
close(t)
