# Decent: the Julia interface of libdecent (decentralized data-parallel training).
#
#   using Decent
#   t = Trainer(model="lenet", data="fashion-mnist", nodes=4, topology="one-peer-exp", epochs=1)
#   run!(t; progress = p -> (println(p.kind, " ", p.step, " ", p.loss); false))
#   accuracy, loss = evaluate(t)
#
# Handles are freed by finalizers (or at once with close); failures throw DecentError with the
# C ABI's status and message; arrays are Julia arrays passed without copies under GC.@preserve.
# Untested at run time: no Julia is installable where decent is developed (README.md).
module Decent

include("LibDecent.jl")
using .LibDecent
const L = LibDecent

export DecentError, Topology, Dataset, Model, Trainer, Comm, nodes, rho, weights, parameters,
       set_parameters!, buffers, set_buffers!, predict, batch, partition, normalization,
       set_normalization!, run!, step!, evaluate, save, load!, averaged_model, finished, config,
       to_bytes, model_from_bytes, load_model, version, set_threads, set_log_callback!, rank,
       allreduce!, broadcast!, neighbor_average!, neighbor_average_start!,
       neighbor_average_finish!

"""A failed decent call: `status` is the C ABI's decent_status, `msg` decent_last_error()."""
struct DecentError <: Exception
    status::Cint
    name::String
    msg::String
end
Base.showerror(io::IO, e::DecentError) = print(io, e.name, ": ", e.msg)

function check(status::Cint)
    status == L.DECENT_OK && return nothing
    throw(DecentError(status, unsafe_string(L.decent_status_name(status)),
                      unsafe_string(L.decent_last_error())))
end

version() = unsafe_string(L.decent_version())

"""CPU threads of the layers for calls from this thread (models, datasets): 1 to 1024."""
set_threads(n::Integer) = check(L.decent_set_threads(n))

# The log callback's Julia function; decent keeps only the trampoline and this Ref's address.
const log_callback = Ref{Any}(nothing)
function log_trampoline(level::Cint, message::Cstring, ::Ptr{Cvoid})::Cvoid
    f = log_callback[]
    f === nothing || try
        f(Int(level), unsafe_string(message))
    catch
    end
    return nothing
end

"""Where the library's messages go: `f(level, message)` for levels >= `min_level`
(0 debug, 1 info, 2 warning, 3 error: every failed call); `nothing` turns it off. Messages of a
trainer come from its node threads: this needs Julia >= 1.9 (foreign threads may call Julia)."""
function set_log_callback!(f; min_level::Integer = L.DECENT_LOG_INFO)
    if f === nothing
        check(L.decent_set_log_callback(C_NULL, C_NULL, min_level))
        log_callback[] = nothing
    else
        log_callback[] = f
        cb = @cfunction(log_trampoline, Cvoid, (Cint, Cstring, Ptr{Cvoid}))
        check(L.decent_set_log_callback(cb, C_NULL, min_level))
    end
    return nothing
end

function __init__()
    abi = L.decent_abi_version()
    abi == 0 || error("Decent.jl: libdecent's ABI version $abi is not the supported 0")
end

# Creates a handle with `create(out)` and attaches `free` as finalizer.
mutable struct Handle
    ptr::Ptr{Cvoid}
    free::Function
end
function Handle(create, free)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(create(out))
    h = Handle(out[], free)
    finalizer(h) do x
        x.ptr == C_NULL || x.free(x.ptr)
        x.ptr = C_NULL
    end
    return h
end
function ptr(h::Handle)
    h.ptr == C_NULL && throw(DecentError(1, "DECENT_ERR_INVALID_ARGUMENT", "handle used after close"))
    return h.ptr
end
Base.close(h::Handle) = (h.ptr == C_NULL || h.free(h.ptr); h.ptr = C_NULL; nothing)

"""A communication graph: `Topology("ring", 8)`, `Topology("torus:4x4")`."""
struct Topology
    h::Handle
end
Topology(spec::AbstractString, n::Integer = 0) =
    Topology(Handle(out -> L.decent_topology_create(spec, n, out), L.decent_topology_free))
"""Your own mixing matrices: `Topology(W)` for an n x n matrix (W[i, j]: the weight node i gives
to node j's value) or `Topology([W0, W1, ...])` for a period; each checked doubly stochastic."""
function Topology(steps::AbstractVector{<:AbstractMatrix{<:Real}})
    n = size(first(steps), 1)
    all(size(w) == (n, n) for w in steps) || throw(ArgumentError("expected n x n matrices"))
    # Row-major, one step after the other: each transposed W read column-major.
    flat = reduce(vcat, [vec(Matrix{Float64}(permutedims(w))) for w in steps])
    Topology(GC.@preserve flat Handle(out -> L.decent_topology_create_from_weights(n,
        length(steps), flat, length(flat), out), L.decent_topology_free))
end
Topology(w::AbstractMatrix{<:Real}) = Topology([w])
Base.close(t::Topology) = close(t.h)
nodes(t::Topology) = (r = Ref{Cint}(0); check(L.decent_topology_nodes(ptr(t.h), r)); Int(r[]))
function rho(t::Topology; start::Integer = 0, steps::Integer = 0)
    r = Ref{Cdouble}(0)
    check(L.decent_topology_rho(ptr(t.h), start, steps, r))
    return r[]
end
function weights(t::Topology, step::Integer = 0)
    n = nodes(t)
    w = Matrix{Float64}(undef, n, n)
    check(L.decent_topology_weights(ptr(t.h), step, w, length(w)))
    return permutedims(w)  # C fills row-major
end

"""An image set: `Dataset("fashion-mnist")`, `Dataset("cifar10", dir; train=false)`."""
struct Dataset
    h::Handle
end
Dataset(kind::AbstractString, path::Union{Nothing,AbstractString} = nothing; train::Bool = true) =
    Dataset(Handle(out -> L.decent_dataset_open(kind, path === nothing ? C_NULL : path, train, out),
                   L.decent_dataset_free))
"""A dataset of the caller's images (W x H x C x N Float32, the C layout read column-major,
taken as they are) and 0-based labels; copied. Normalised with its own per-channel statistics
unless `set_normalization!` gives it others (a test split: its training split's)."""
function Dataset(images::Array{Float32,4}, labels::AbstractVector{<:Integer}; classes::Integer)
    w, h, c, n = size(images)
    lab = Vector{Int32}(labels)
    length(lab) == n || throw(ArgumentError("$(length(lab)) labels for $n images"))
    Dataset(GC.@preserve images lab Handle(out -> L.decent_dataset_from_memory(images,
        length(images), lab, n, c, h, w, classes, out), L.decent_dataset_free))
end
Base.close(d::Dataset) = close(d.h)
"""(mean, stddev) per channel with which `batch` and the trainer normalise this set."""
function normalization(d::Dataset)
    c = size(d)[1]
    mean, std = Vector{Float32}(undef, c), Vector{Float32}(undef, c)
    check(L.decent_dataset_normalization(ptr(d.h), mean, std, c))
    return mean, std
end
set_normalization!(d::Dataset, mean::Vector{Float32}, std::Vector{Float32}) =
    (length(mean) == length(std) || throw(ArgumentError("mean and std differ in length"));
     check(L.decent_dataset_set_normalization(ptr(d.h), mean, std, length(mean))); d)
Base.length(d::Dataset) = (r = Ref{Int64}(0); check(L.decent_dataset_size(ptr(d.h), r)); Int(r[]))
function Base.size(d::Dataset)
    c, h, w, k = Ref{Int64}(0), Ref{Int64}(0), Ref{Int64}(0), Ref{Int64}(0)
    check(L.decent_dataset_shape(ptr(d.h), c, h, w, k))
    return (c[], h[], w[], k[])
end
"""Images (W x H x C x N, the C layout read column-major) and labels of 0-based `indices`."""
function batch(d::Dataset, indices::AbstractVector{<:Integer})
    idx = Vector{Int64}(indices)
    c, h, w, _ = size(d)
    images = Array{Float32}(undef, w, h, c, length(idx))
    labels = Vector{Int32}(undef, length(idx))
    GC.@preserve idx images labels check(L.decent_dataset_batch(ptr(d.h), idx, length(idx), images,
                                                                 length(images), labels, length(labels)))
    return images, labels
end
function partition(d::Dataset, spec::AbstractString, n::Integer, node::Integer; seed::Integer = 1)
    out = Vector{Int64}(undef, length(d))
    count = Ref{Csize_t}(0)
    check(L.decent_dataset_partition(ptr(d.h), spec, n, seed, node, out, length(out), count))
    return out[1:count[]]
end

"""A network with flat parameters: `Model("resnet20"; channels=3, height=32, width=32)`."""
struct Model
    h::Handle
end
Model(name::AbstractString; channels = 1, height = 28, width = 28, classes = 10, seed = 1) =
    Model(Handle(out -> L.decent_model_create(name, channels, height, width, classes, seed, out),
                 L.decent_model_free))
Base.close(m::Model) = close(m.h)
function parameters(m::Model)
    n = Ref{Int64}(0)
    check(L.decent_model_parameter_count(ptr(m.h), n, C_NULL))
    x = Vector{Float32}(undef, n[])
    check(L.decent_model_get_parameters(ptr(m.h), x, length(x)))
    return x
end
set_parameters!(m::Model, x::Vector{Float32}) = check(L.decent_model_set_parameters(ptr(m.h), x, length(x)))
function buffers(m::Model)
    n = Ref{Int64}(0)
    check(L.decent_model_parameter_count(ptr(m.h), C_NULL, n))
    x = Vector{Float32}(undef, n[])
    check(L.decent_model_get_buffers(ptr(m.h), x, length(x)))
    return x
end
set_buffers!(m::Model, x::Vector{Float32}) = check(L.decent_model_set_buffers(ptr(m.h), x, length(x)))
"""Writes the model (architecture, parameters, buffers) to a file; `load_model` reads it."""
save(m::Model, path::AbstractString) = check(L.decent_model_save(ptr(m.h), path))
load_model(path::AbstractString) = Model(Handle(out -> L.decent_model_load(path, out), L.decent_model_free))
"""The model file's bytes, in memory."""
function to_bytes(m::Model)
    n = Ref{Csize_t}(0)
    L.decent_model_save_to_memory(ptr(m.h), C_NULL, 0, n)  # BUFFER_TOO_SMALL: the size
    buf = Vector{UInt8}(undef, n[])
    check(L.decent_model_save_to_memory(ptr(m.h), buf, length(buf), n))
    return buf
end
model_from_bytes(b::Vector{UInt8}) =
    Model(GC.@preserve b Handle(out -> L.decent_model_load_from_memory(b, length(b), out), L.decent_model_free))
"""Logits (classes x N) of images (W x H x C x N)."""
function predict(m::Model, images::Array{Float32,4})
    k = Ref{Int64}(0)
    check(L.decent_model_shape(ptr(m.h), C_NULL, C_NULL, C_NULL, k))
    n = size(images, 4)
    logits = Matrix{Float32}(undef, k[], n)
    check(L.decent_model_predict(ptr(m.h), images, length(images), n, logits, length(logits)))
    return logits
end

"""A node's communicator: `Comm()` is this MPI rank's (under mpirun); `close` frees it (and
finalises MPI when decent started it). Collectives work in place on Vector{Float32} or
Vector{Float64}."""
mutable struct Comm
    ptr::Ptr{Cvoid}
    pending::Any  # the array of a started neighbour average, kept alive until it finishes
end
function Comm()
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(L.decent_comm_mpi_create(out))
    c = Comm(out[], nothing)
    finalizer(close, c)
    return c
end
Base.close(c::Comm) = (c.ptr == C_NULL || L.decent_comm_free(c.ptr); c.ptr = C_NULL; nothing)
cptr(c::Comm) = c.ptr == C_NULL ?
    throw(DecentError(1, "DECENT_ERR_INVALID_ARGUMENT", "Comm used after close")) : c.ptr
rank(c::Comm) = (r = Ref{Cint}(0); check(L.decent_comm_rank(cptr(c), r)); Int(r[]))
Base.size(c::Comm) = (r = Ref{Cint}(0); check(L.decent_comm_size(cptr(c), r)); Int(r[]))
# The C entry points of each element type: Float32 values go through decent_comm_X, Float64
# values through decent_comm_X_f64.
const CommValue = Union{Float32, Float64}
c_allreduce(c, x::Vector{Float32}, op) = L.decent_comm_allreduce(c, x, length(x), op)
c_allreduce(c, x::Vector{Float64}, op) = L.decent_comm_allreduce_f64(c, x, length(x), op)
c_broadcast(c, x::Vector{Float32}, root) = L.decent_comm_broadcast(c, x, length(x), root)
c_broadcast(c, x::Vector{Float64}, root) = L.decent_comm_broadcast_f64(c, x, length(x), root)
c_average(c, t, step, x::Vector{Float32}) = L.decent_comm_neighbor_average(c, t, step, x, length(x))
c_average(c, t, step, x::Vector{Float64}) = L.decent_comm_neighbor_average_f64(c, t, step, x, length(x))
c_average_start(c, t, step, x::Vector{Float32}) =
    L.decent_comm_neighbor_average_start(c, t, step, x, length(x))
c_average_start(c, t, step, x::Vector{Float64}) =
    L.decent_comm_neighbor_average_start_f64(c, t, step, x, length(x))

"""Sum (op = :sum) or average (:average) over the ranks, in place (Float32 or Float64)."""
allreduce!(c::Comm, x::Vector{<:CommValue}; op::Symbol = :sum) =
    (check(c_allreduce(cptr(c), x,
        op === :sum ? L.DECENT_REDUCE_SUM : op === :average ? L.DECENT_REDUCE_AVERAGE :
        throw(ArgumentError("op must be :sum or :average")))); x)
broadcast!(c::Comm, x::Vector{<:CommValue}; root::Integer = 0) =
    (check(c_broadcast(cptr(c), x, root)); x)
neighbor_average!(c::Comm, t::Topology, step::Integer, x::Vector{<:CommValue}) =
    (check(c_average(cptr(c), ptr(t.h), step, x)); x)
"""Starts a neighbour average without waiting; `x` must not be touched until
`neighbor_average_finish!(c)`, which writes the average into it and returns it."""
function neighbor_average_start!(c::Comm, t::Topology, step::Integer, x::Vector{<:CommValue})
    check(c_average_start(cptr(c), ptr(t.h), step, x))
    c.pending = x
    return c
end
function neighbor_average_finish!(c::Comm)
    check(L.decent_comm_neighbor_average_finish(cptr(c)))
    x, c.pending = c.pending, nothing
    return x
end

"""Decentralized training; keywords are decent_train_options' fields. `comm` (a `Comm`) makes
this rank's node of a run over MPI; `train` and `test` (Datasets) train on the caller's data
instead of the `data` option's files."""
mutable struct Trainer
    h::Handle
    strings::Vector{String}  # kept alive: the options struct points into them until create
    keep::Vector{Any}        # the communicator: it must outlive the trainer
end
function Trainer(; comm::Union{Nothing,Comm} = nothing, train::Union{Nothing,Dataset} = nothing,
                 test::Union{Nothing,Dataset} = nothing, kwargs...)
    # Zeros of the right count; decent_train_default_options then fills in every default.
    o = L.TrainOptions(zeros(Int, fieldcount(L.TrainOptions))...)
    check(L.decent_train_default_options(o))
    keep = String[]
    for (k, v) in kwargs
        hasfield(L.TrainOptions, k) && k != :struct_size || throw(ArgumentError("unknown option $k"))
        if fieldtype(L.TrainOptions, k) == Cstring
            s = String(v)
            push!(keep, s)
            setfield!(o, k, Base.unsafe_convert(Cstring, s))
        else
            setfield!(o, k, convert(fieldtype(L.TrainOptions, k), v))
        end
    end
    (train === nothing) == (test === nothing) || throw(ArgumentError("give both train and test, or neither"))
    c = comm === nothing ? C_NULL : cptr(comm)
    create = train !== nothing ?
        (out -> L.decent_trainer_create_with_data(o, ptr(train.h), ptr(test.h), c, out)) :
        comm !== nothing ? (out -> L.decent_trainer_create_with_comm(o, c, out)) :
        (out -> L.decent_trainer_create(o, out))
    h = GC.@preserve keep Handle(create, L.decent_trainer_free)
    return Trainer(h, keep, Any[comm])
end
Base.close(t::Trainer) = close(t.h)

# The progress trampoline: `user` is a pointer to the Julia callable (kept alive by run!).
function progress_trampoline(p::Ptr{L.Progress}, user::Ptr{Cvoid})::Cint
    f = unsafe_pointer_to_objref(user)
    stop = try
        f(unsafe_load(p)) === true
    catch
        true
    end
    return Cint(stop)
end

"""Trains to the end; `progress(p::LibDecent.Progress)` returning true stops after that step."""
function run!(t::Trainer; progress = nothing)
    if progress === nothing
        check(L.decent_trainer_run(ptr(t.h), C_NULL, C_NULL))
    else
        cb = @cfunction(progress_trampoline, Cint, (Ptr{L.Progress}, Ptr{Cvoid}))
        ref = Ref{Any}(progress)
        GC.@preserve ref check(L.decent_trainer_run(ptr(t.h), cb, pointer_from_objref(ref[])))
    end
    return t
end
step!(t::Trainer, n::Integer = 1) = (check(L.decent_trainer_step(ptr(t.h), n)); t)
function evaluate(t::Trainer)
    a, l = Ref{Cdouble}(0), Ref{Cdouble}(0)
    check(L.decent_trainer_evaluate(ptr(t.h), a, l))
    return a[], l[]
end
"""True when every step of the run is done (false: stopped, or not started)."""
finished(t::Trainer) = (r = Ref{Cint}(0); check(L.decent_trainer_finished(ptr(t.h), r)); r[] != 0)
"""The resolved configuration as a JSON string (every option, defaults filled in)."""
config(t::Trainer) = (r = Ref{Cstring}(C_NULL); check(L.decent_trainer_config_json(ptr(t.h), r)); unsafe_string(r[]))
averaged_model(t::Trainer) = Model(Handle(out -> L.decent_trainer_model(ptr(t.h), out), L.decent_model_free))
save(t::Trainer, dir::AbstractString) = check(L.decent_trainer_save(ptr(t.h), dir))
load!(t::Trainer, dir::AbstractString) = (check(L.decent_trainer_load(ptr(t.h), dir)); t)

end # module
