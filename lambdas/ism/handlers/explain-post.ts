/** POST _plugins/_ism/explain[/<index>] with a `filter` body. */
export { postHandler as handler } from './explain';
