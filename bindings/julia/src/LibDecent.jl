# LibDecent: one `ccall` per entry point of capi/include/decent/decent.h, nothing else.
# Argument and return types follow the header one to one (tests/julia/check_julia_ccalls.py checks
# every ccall against it). Decent.jl builds the friendly layer on top.
module LibDecent

# The shared library: DECENT_LIBRARY if set, else libdecent.so.0 from the loader's search path.
const libdecent = get(ENV, "DECENT_LIBRARY", "libdecent.so.0")

const decent_status = Cint
const DECENT_OK = Cint(0)
const DECENT_PROGRESS_TRAIN = Cint(0)
const DECENT_PROGRESS_EVAL = Cint(1)
const DECENT_REDUCE_SUM = Cint(0)
const DECENT_REDUCE_AVERAGE = Cint(1)
const DECENT_LOG_DEBUG = Cint(0)
const DECENT_LOG_INFO = Cint(1)
const DECENT_LOG_WARNING = Cint(2)
const DECENT_LOG_ERROR = Cint(3)

# decent_train_options, field for field (Julia lays out isbits structs as C does).
mutable struct TrainOptions
    struct_size::Csize_t
    model::Cstring
    data::Cstring
    data_dir::Cstring
    partition::Cstring
    topology::Cstring
    algorithm::Cstring
    optimizer::Cstring
    schedule::Cstring
    out::Cstring
    nodes::Int32
    awc::Int32
    nesterov::Int32
    threads::Int32
    width::Int64
    period::Int64
    epochs::Int64
    batch::Int64
    train_limit::Int64
    test_limit::Int64
    log_every::Int64
    max_steps::Int64
    lr::Cdouble
    momentum::Cdouble
    weight_decay::Cdouble
    warmup_epochs::Cdouble
    seed::UInt64
    crop_padding::Int64
    aga_warmup::Int64
    checkpoint_every::Int64
    milestones::Cstring
    resume::Cstring
    flip::Int32
    scale_lr::Int32
    eval_nodes::Int32
    device::Cstring
    compressor::Cstring
    consensus_step::Cdouble
    outer_lr::Cdouble
    outer_momentum::Cdouble
    inner_gossip::Int32
    outer_gossip::Int32
end

# decent_progress.
struct Progress
    struct_size::Csize_t
    kind::Cint
    step::Int64
    total_steps::Int64
    epoch::Cdouble
    loss::Cdouble
    lr::Cdouble
    test_accuracy::Cdouble
    test_loss::Cdouble
    consensus_distance::Cdouble
    images_per_second::Cdouble
    time_s::Cdouble
    bytes_sent::Cdouble
end

# Status, errors, version
decent_last_error() = ccall((:decent_last_error, libdecent), Cstring, ())
decent_status_name(status) = ccall((:decent_status_name, libdecent), Cstring, (Cint,), status)
decent_set_log_callback(fn, user, min_level) = ccall((:decent_set_log_callback, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cvoid}, Cint), fn, user, min_level)
decent_version() = ccall((:decent_version, libdecent), Cstring, ())
decent_abi_version() = ccall((:decent_abi_version, libdecent), Cint, ())
decent_build_info() = ccall((:decent_build_info, libdecent), Cstring, ())
decent_cuda_device_count(out) = ccall((:decent_cuda_device_count, libdecent), decent_status, (Ptr{Cint},), out)
decent_set_threads(threads) = ccall((:decent_set_threads, libdecent), decent_status, (Cint,), threads)

# Topologies
decent_topology_create(spec, nodes, out) = ccall((:decent_topology_create, libdecent), decent_status, (Cstring, Cint, Ptr{Ptr{Cvoid}}), spec, nodes, out)
decent_topology_create_from_weights(nodes, steps, weights, count, out) = ccall((:decent_topology_create_from_weights, libdecent), decent_status, (Cint, Cint, Ptr{Cdouble}, Csize_t, Ptr{Ptr{Cvoid}}), nodes, steps, weights, count, out)
decent_topology_free(t) = ccall((:decent_topology_free, libdecent), Cvoid, (Ptr{Cvoid},), t)
decent_topology_nodes(t, out) = ccall((:decent_topology_nodes, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cint}), t, out)
decent_topology_period(t, out) = ccall((:decent_topology_period, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cint}), t, out)
decent_topology_name(t, out) = ccall((:decent_topology_name, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cstring}), t, out)
decent_topology_weights(t, step, out, count) = ccall((:decent_topology_weights, libdecent), decent_status, (Ptr{Cvoid}, Int64, Ptr{Cdouble}, Csize_t), t, step, out, count)
decent_topology_product(t, start, steps, out, count) = ccall((:decent_topology_product, libdecent), decent_status, (Ptr{Cvoid}, Int64, Int64, Ptr{Cdouble}, Csize_t), t, start, steps, out, count)
decent_topology_rho(t, start, steps, out) = ccall((:decent_topology_rho, libdecent), decent_status, (Ptr{Cvoid}, Int64, Int64, Ptr{Cdouble}), t, start, steps, out)
decent_topology_in_neighbors(t, node, step, nodes, weights, capacity, count) = ccall((:decent_topology_in_neighbors, libdecent), decent_status, (Ptr{Cvoid}, Cint, Int64, Ptr{Cint}, Ptr{Cdouble}, Csize_t, Ptr{Csize_t}), t, node, step, nodes, weights, capacity, count)
decent_topology_out_neighbors(t, node, step, nodes, weights, capacity, count) = ccall((:decent_topology_out_neighbors, libdecent), decent_status, (Ptr{Cvoid}, Cint, Int64, Ptr{Cint}, Ptr{Cdouble}, Csize_t, Ptr{Csize_t}), t, node, step, nodes, weights, capacity, count)
decent_topology_self_weight(t, node, step, out) = ccall((:decent_topology_self_weight, libdecent), decent_status, (Ptr{Cvoid}, Cint, Int64, Ptr{Cdouble}), t, node, step, out)
decent_topology_degree(t, node, step, in_degree, out_degree) = ccall((:decent_topology_degree, libdecent), decent_status, (Ptr{Cvoid}, Cint, Int64, Ptr{Cint}, Ptr{Cint}), t, node, step, in_degree, out_degree)
decent_topology_max_degree(t, out) = ccall((:decent_topology_max_degree, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cint}), t, out)

# Communicators
decent_comm_run_local(nodes, timeout_s, fn, user) = ccall((:decent_comm_run_local, libdecent), decent_status, (Cint, Cdouble, Ptr{Cvoid}, Ptr{Cvoid}), nodes, timeout_s, fn, user)
decent_comm_mpi_create(out) = ccall((:decent_comm_mpi_create, libdecent), decent_status, (Ptr{Ptr{Cvoid}},), out)
decent_comm_free(c) = ccall((:decent_comm_free, libdecent), Cvoid, (Ptr{Cvoid},), c)
decent_comm_rank(c, out) = ccall((:decent_comm_rank, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cint}), c, out)
decent_comm_size(c, out) = ccall((:decent_comm_size, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cint}), c, out)
decent_comm_backend(c, out) = ccall((:decent_comm_backend, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cstring}), c, out)
decent_comm_allreduce(c, data, count, op) = ccall((:decent_comm_allreduce, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Cint), c, data, count, op)
decent_comm_broadcast(c, data, count, root) = ccall((:decent_comm_broadcast, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Cint), c, data, count, root)
decent_comm_neighbor_average(c, t, step, data, count) = ccall((:decent_comm_neighbor_average, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cvoid}, Int64, Ptr{Cfloat}, Csize_t), c, t, step, data, count)
decent_comm_neighbor_average_start(c, t, step, data, count) = ccall((:decent_comm_neighbor_average_start, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cvoid}, Int64, Ptr{Cfloat}, Csize_t), c, t, step, data, count)
decent_comm_neighbor_average_finish(c) = ccall((:decent_comm_neighbor_average_finish, libdecent), decent_status, (Ptr{Cvoid},), c)
decent_comm_allreduce_f64(c, data, count, op) = ccall((:decent_comm_allreduce_f64, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cdouble}, Csize_t, Cint), c, data, count, op)
decent_comm_broadcast_f64(c, data, count, root) = ccall((:decent_comm_broadcast_f64, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cdouble}, Csize_t, Cint), c, data, count, root)
decent_comm_neighbor_average_f64(c, t, step, data, count) = ccall((:decent_comm_neighbor_average_f64, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cvoid}, Int64, Ptr{Cdouble}, Csize_t), c, t, step, data, count)
decent_comm_neighbor_average_start_f64(c, t, step, data, count) = ccall((:decent_comm_neighbor_average_start_f64, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cvoid}, Int64, Ptr{Cdouble}, Csize_t), c, t, step, data, count)

# Algorithm rules
decent_aga_next_period(initial_period, initial_loss, loss, current, out) = ccall((:decent_aga_next_period, libdecent), decent_status, (Int64, Cdouble, Cdouble, Int64, Ptr{Int64}), initial_period, initial_loss, loss, current, out)

# Datasets
decent_dataset_open(kind, path, train, out) = ccall((:decent_dataset_open, libdecent), decent_status, (Cstring, Cstring, Cint, Ptr{Ptr{Cvoid}}), kind, path, train, out)
decent_dataset_from_memory(images, images_count, labels, count, channels, height, width, classes, out) = ccall((:decent_dataset_from_memory, libdecent), decent_status, (Ptr{Cfloat}, Csize_t, Ptr{Int32}, Csize_t, Int64, Int64, Int64, Int64, Ptr{Ptr{Cvoid}}), images, images_count, labels, count, channels, height, width, classes, out)
decent_dataset_set_normalization(d, mean, stddev, count) = ccall((:decent_dataset_set_normalization, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Ptr{Cfloat}, Csize_t), d, mean, stddev, count)
decent_dataset_free(d) = ccall((:decent_dataset_free, libdecent), Cvoid, (Ptr{Cvoid},), d)
decent_dataset_size(d, out) = ccall((:decent_dataset_size, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Int64}), d, out)
decent_dataset_shape(d, channels, height, width, classes) = ccall((:decent_dataset_shape, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Int64}, Ptr{Int64}, Ptr{Int64}, Ptr{Int64}), d, channels, height, width, classes)
decent_dataset_batch(d, indices, count, images, images_count, labels, labels_count) = ccall((:decent_dataset_batch, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Int64}, Csize_t, Ptr{Cfloat}, Csize_t, Ptr{Int32}, Csize_t), d, indices, count, images, images_count, labels, labels_count)
decent_dataset_normalization(d, mean, stddev, count) = ccall((:decent_dataset_normalization, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Ptr{Cfloat}, Csize_t), d, mean, stddev, count)
decent_dataset_partition(d, spec, nodes, seed, node, indices, capacity, count) = ccall((:decent_dataset_partition, libdecent), decent_status, (Ptr{Cvoid}, Cstring, Cint, UInt64, Cint, Ptr{Int64}, Csize_t, Ptr{Csize_t}), d, spec, nodes, seed, node, indices, capacity, count)

# Models
decent_model_create(name, channels, height, width, classes, seed, out) = ccall((:decent_model_create, libdecent), decent_status, (Cstring, Int64, Int64, Int64, Int64, UInt64, Ptr{Ptr{Cvoid}}), name, channels, height, width, classes, seed, out)
decent_model_free(m) = ccall((:decent_model_free, libdecent), Cvoid, (Ptr{Cvoid},), m)
decent_model_parameter_count(m, parameters, buffers) = ccall((:decent_model_parameter_count, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Int64}, Ptr{Int64}), m, parameters, buffers)
decent_model_shape(m, channels, height, width, classes) = ccall((:decent_model_shape, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Int64}, Ptr{Int64}, Ptr{Int64}, Ptr{Int64}), m, channels, height, width, classes)
decent_model_get_parameters(m, out, count) = ccall((:decent_model_get_parameters, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t), m, out, count)
decent_model_set_parameters(m, values, count) = ccall((:decent_model_set_parameters, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t), m, values, count)
decent_model_get_buffers(m, out, count) = ccall((:decent_model_get_buffers, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t), m, out, count)
decent_model_set_buffers(m, values, count) = ccall((:decent_model_set_buffers, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t), m, values, count)
decent_model_predict(m, images, images_count, batch, logits, logits_count) = ccall((:decent_model_predict, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Int64, Ptr{Cfloat}, Csize_t), m, images, images_count, batch, logits, logits_count)
decent_model_save(m, path) = ccall((:decent_model_save, libdecent), decent_status, (Ptr{Cvoid}, Cstring), m, path)
decent_model_load(path, out) = ccall((:decent_model_load, libdecent), decent_status, (Cstring, Ptr{Ptr{Cvoid}}), path, out)
decent_model_save_to_memory(m, buffer, capacity, size) = ccall((:decent_model_save_to_memory, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cvoid}, Csize_t, Ptr{Csize_t}), m, buffer, capacity, size)
decent_model_load_from_memory(buffer, size, out) = ccall((:decent_model_load_from_memory, libdecent), decent_status, (Ptr{Cvoid}, Csize_t, Ptr{Ptr{Cvoid}}), buffer, size, out)

# Training
decent_train_default_options(options) = ccall((:decent_train_default_options, libdecent), decent_status, (Ref{TrainOptions},), options)
decent_trainer_create(options, out) = ccall((:decent_trainer_create, libdecent), decent_status, (Ref{TrainOptions}, Ptr{Ptr{Cvoid}}), options, out)
decent_trainer_create_with_comm(options, comm, out) = ccall((:decent_trainer_create_with_comm, libdecent), decent_status, (Ref{TrainOptions}, Ptr{Cvoid}, Ptr{Ptr{Cvoid}}), options, comm, out)
decent_trainer_create_with_data(options, train, test, comm, out) = ccall((:decent_trainer_create_with_data, libdecent), decent_status, (Ref{TrainOptions}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Ptr{Cvoid}}), options, train, test, comm, out)
decent_trainer_free(t) = ccall((:decent_trainer_free, libdecent), Cvoid, (Ptr{Cvoid},), t)
decent_trainer_run(t, progress, user) = ccall((:decent_trainer_run, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}), t, progress, user)
decent_trainer_step(t, steps) = ccall((:decent_trainer_step, libdecent), decent_status, (Ptr{Cvoid}, Int64), t, steps)
decent_trainer_steps(t, done, total) = ccall((:decent_trainer_steps, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Int64}, Ptr{Int64}), t, done, total)
decent_trainer_finished(t, out) = ccall((:decent_trainer_finished, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cint}), t, out)
decent_trainer_config_json(t, out) = ccall((:decent_trainer_config_json, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cstring}), t, out)
decent_trainer_evaluate(t, accuracy, loss) = ccall((:decent_trainer_evaluate, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Cdouble}, Ptr{Cdouble}), t, accuracy, loss)
decent_trainer_model(t, out) = ccall((:decent_trainer_model, libdecent), decent_status, (Ptr{Cvoid}, Ptr{Ptr{Cvoid}}), t, out)
decent_trainer_save(t, dir) = ccall((:decent_trainer_save, libdecent), decent_status, (Ptr{Cvoid}, Cstring), t, dir)
decent_trainer_load(t, dir) = ccall((:decent_trainer_load, libdecent), decent_status, (Ptr{Cvoid}, Cstring), t, dir)

end # module
