/* Python-only helpers over the C ABI, for entry points whose arguments the array typemaps cannot
 * take as they are. */
%inline %{
/* mean then stddev, `count` = 2 x channels floats in one array. */
decent_status decent_py_dataset_normalization(const decent_dataset* dataset, float* out,
                                              size_t count) {
  return decent_dataset_normalization(dataset, out, out ? out + count / 2 : NULL, count / 2);
}
%}
